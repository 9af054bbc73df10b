import TemblorNATS
import TemblorRuntime
import TemblorValue

/// A `nats` connector's configuration: the servers, the subject, core NATS or JetStream, and
/// the credentials. Shared by both sides.
struct NatsConfig: Sendable {
    static let keys: Set<String> = ["servers", "subject", "queue_group", "jetstream", "token", "user", "password", "creds", "tls"]

    /// The servers to try, in order; the cluster's others join them once connected.
    var servers: [NATSServerAddress]
    /// What the source subscribes to (or filters its consumer by), and where the sink publishes
    /// unless an event names another subject.
    var subject: String?
    /// The core NATS queue group the source joins, sharing the subject's messages with its members.
    var queueGroup: String?
    /// Set for JetStream; nil for core NATS.
    var jetStream: NatsJetStreamConfig?
    var auth: NATSAuth
    var tls: TLSSettings?

    /// Reads a connector's config; `name` is the instance's (the durable's default), `directory`
    /// the flow file's, for the credentials file and certificates.
    init(_ config: Value, name: String, directory: String) throws(ConnectorConfigError) {
        let reader = try ConfigReader(config, allowed: Self.keys)
        servers = try Self.servers(config["servers"])
        subject = try reader.string("subject")
        if let subject {
            guard Self.isSubject(subject) else {
                throw ConnectorConfigError(
                    key: "subject", "'\(subject)' is not a NATS subject: tokens separated by dots, none empty, no spaces (like orders.new or orders.>)")
            }
        }
        queueGroup = try reader.string("queue_group")
        if let queueGroup, queueGroup.isEmpty || queueGroup.utf8.contains(where: { $0 <= 32 || $0 == 127 }) {
            throw ConnectorConfigError(key: "queue_group", "'\(queueGroup)' is not a queue group name: it must be non-empty, without spaces")
        }
        if let raw = config["jetstream"], !raw.isNull {
            jetStream = try NatsJetStreamConfig(raw, name: name)
        }
        if queueGroup != nil, jetStream != nil {
            throw ConnectorConfigError(
                key: "queue_group",
                "applies to core NATS only; with jetstream every worker naming the same durable already shares its messages: remove queue_group")
        }
        if queueGroup != nil, subject == nil {
            throw ConnectorConfigError(key: "queue_group", "a queue group subscribes to a subject: set 'subject' too")
        }
        auth = try Self.auth(reader, directory: directory)
        tls = try TLSSettings.parse(config["tls"], role: .client, directory: directory)
    }

    /// `servers`: one url or a list of them.
    private static func servers(_ raw: Value?) throws(ConnectorConfigError) -> [NATSServerAddress] {
        guard let raw, !raw.isNull else {
            throw ConnectorConfigError(key: "servers", "missing; this connector needs 'servers', a list like [nats://127.0.0.1:4222]")
        }
        let urls: [Value]
        if case .string = raw {
            urls = [raw]
        } else if let list = raw.arrayValue {
            urls = list
        } else {
            throw ConnectorConfigError(key: "servers", "expected a list of urls like [nats://127.0.0.1:4222], got \(raw.typeName)")
        }
        guard !urls.isEmpty else {
            throw ConnectorConfigError(key: "servers", "the list is empty; name at least one server, like nats://127.0.0.1:4222")
        }
        var servers: [NATSServerAddress] = []
        for (index, url) in urls.enumerated() {
            guard let text = url.stringValue else {
                throw ConnectorConfigError(key: "servers[\(index)]", "expected a url like nats://127.0.0.1:4222, got \(url.typeName)")
            }
            do {
                servers.append(try NATSServerAddress(url: text))
            } catch {
                throw ConnectorConfigError(key: "servers[\(index)]", Self.urlProblem(error))
            }
        }
        return servers
    }

    private static func urlProblem(_ error: NATSError) -> String {
        if case .badURL(let text) = error { return text }
        return "\(error)"
    }

    /// `token`, `user` with `password`, or `creds`: one way at most.
    private static func auth(_ reader: ConfigReader, directory: String) throws(ConnectorConfigError) -> NATSAuth {
        let token = try reader.string("token")
        let user = try reader.string("user")
        let password = try reader.string("password")
        let creds = try reader.string("creds")
        if token != nil, user != nil || password != nil {
            throw ConnectorConfigError(key: "token", "use either a token or a user and password, not both")
        }
        if creds != nil, token != nil || user != nil || password != nil {
            throw ConnectorConfigError(key: "creds", "a credentials file is the whole identity: remove token, user and password")
        }
        if user != nil, password == nil {
            throw ConnectorConfigError(key: "password", "missing; a user needs its password")
        }
        if password != nil, user == nil {
            throw ConnectorConfigError(key: "user", "missing; a password goes with a user")
        }
        if let token {
            guard !token.isEmpty else { throw ConnectorConfigError(key: "token", "is empty; give the server's token or remove the key") }
            return .token(token)
        }
        if let user, let password { return .user(user, password: password) }
        if let creds {
            // Relative paths are read when the flow starts, relative to the flow file.
            guard !directory.isEmpty || creds.hasPrefix("/") else { return .none }
            do {
                return try NATSAuth.credentialsFile(resolve(creds, in: directory))
            } catch {
                throw ConnectorConfigError(key: "creds", "\(error)")
            }
        }
        return .none
    }

    /// Whether `subject` is one NATS accepts for a subscription (wildcards allowed).
    static func isSubject(_ subject: String) -> Bool {
        guard !subject.isEmpty, !subject.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { return false }
        return !subject.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty }
    }

    /// Whether `subject` has a wildcard token, which a publish may not.
    static func hasWildcard(_ subject: String) -> Bool {
        subject.split(separator: ".").contains { $0 == "*" || $0 == ">" }
    }
}
