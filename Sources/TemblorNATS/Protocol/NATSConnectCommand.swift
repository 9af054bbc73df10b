/// The fields of the CONNECT the client sends after INFO, in a fixed order so that the bytes on
/// the wire are the same every time.
struct NATSConnectCommand: Sendable, Equatable {
    var verbose = false
    var pedantic = false
    var tlsRequired = false
    var name: String
    var lang = "swift"
    var version = NATSConnectCommand.clientVersion
    var `protocol` = 1
    var headers = true
    var noResponders = true
    var authToken: String?
    var user: String?
    var password: String?
    var jwt: String?
    var nkey: String?
    var signature: String?

    /// What `version` says about this client.
    static let clientVersion = "0.1.0"

    /// The JSON object after `CONNECT `.
    var json: String {
        var json = JSONObjectWriter()
        json.field("verbose", verbose)
        json.field("pedantic", pedantic)
        json.field("tls_required", tlsRequired)
        json.field("name", name)
        json.field("lang", lang)
        json.field("version", version)
        json.field("protocol", `protocol`)
        json.field("headers", headers)
        json.field("no_responders", noResponders)
        if let authToken { json.field("auth_token", authToken) }
        if let user { json.field("user", user) }
        if let password { json.field("pass", password) }
        if let jwt { json.field("jwt", jwt) }
        if let nkey { json.field("nkey", nkey) }
        if let signature { json.field("sig", signature) }
        return json.finished
    }
}
