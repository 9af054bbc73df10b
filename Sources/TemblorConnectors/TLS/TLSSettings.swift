import NIOSSL
import TemblorRuntime
import TemblorValue

/// A connector's `tls:` key, one shape for every server and client (HTTP, WebSocket, TCP):
/// PEM files for the identity (`cert`, `key`), a CA bundle to trust (`ca`) and whether a client
/// checks the server it reaches (`verify`). Read once when the flow is built, so that a missing
/// or unreadable file fails `temblor check` and start-up rather than the first connection.
struct TLSSettings: Sendable {
    /// Which end of the connection the settings are for: a server must have an identity.
    enum Role: Sendable {
        case server
        case client
    }

    /// The keys `tls:` may hold.
    static let keys: Set<String> = ["cert", "key", "ca", "verify"]

    /// The PEM certificate chain, resolved against the flow's directory.
    var cert: String?
    /// The PEM private key of `cert`.
    var key: String?
    /// A PEM bundle of CAs to trust instead of the system's (for a server: clients must present a
    /// certificate it signed).
    var ca: String?
    /// For a client, whether the server's certificate and name are checked (never turn off outside tests).
    var verify: Bool

    /// Reads `tls:` as given in a connector's config: `true` (a client with the system's trust
    /// store), `false` or absent (`nil`, no TLS), or a mapping of `keys`.
    static func parse(_ raw: Value?, role: Role, directory: String) throws(ConnectorConfigError) -> TLSSettings? {
        guard let raw, !raw.isNull else { return nil }
        if let enabled = raw.boolValue {
            guard enabled else { return nil }
            guard role == .client else {
                throw ConnectorConfigError(key: "tls", "a server needs its certificate: tls: { cert: server.pem, key: server.key }")
            }
            return TLSSettings(verify: true)
        }
        let reader: ConfigReader
        do {
            reader = try ConfigReader(raw, allowed: keys)
        } catch {
            throw ConnectorConfigError(key: error.key.isEmpty ? "tls" : "tls.\(error.key)", error.message)
        }
        func path(_ name: String) throws(ConnectorConfigError) -> String? {
            do {
                return try reader.string(name).map { resolve($0, in: directory) }
            } catch {
                throw ConnectorConfigError(key: "tls.\(name)", error.message)
            }
        }
        var settings = TLSSettings(cert: try path("cert"), key: try path("key"), ca: try path("ca"), verify: true)
        do {
            settings.verify = try reader.bool("verify") ?? true
        } catch {
            throw ConnectorConfigError(key: "tls.verify", error.message)
        }
        if (settings.cert == nil) != (settings.key == nil) {
            throw ConnectorConfigError(key: settings.cert == nil ? "tls.cert" : "tls.key", "cert and key go together: name both PEM files")
        }
        if role == .server, settings.cert == nil {
            throw ConnectorConfigError(key: "tls.cert", "a server needs its certificate: tls: { cert: server.pem, key: server.key }")
        }
        return settings
    }

    /// The NIOSSL configuration of a server presenting `cert`; with `ca`, clients must present a
    /// certificate signed by it. `alpn` lists the protocols offered (`h2`, `http/1.1`).
    func serverConfiguration(alpn: [String] = []) throws(ConnectorConfigError) -> TLSConfiguration {
        guard let cert, let key else {
            throw ConnectorConfigError(key: "tls.cert", "a server needs its certificate: tls: { cert: server.pem, key: server.key }")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try Self.certificates(cert, key: "tls.cert").map { .certificate($0) },
            privateKey: .privateKey(try Self.privateKey(key)))
        if let ca {
            configuration.trustRoots = .certificates(try Self.certificates(ca, key: "tls.ca"))
            configuration.certificateVerification = .noHostnameVerification
        }
        configuration.applicationProtocols = alpn
        return configuration
    }

    /// The NIOSSL configuration of a client: the system's trust store unless `ca` names one,
    /// `cert`/`key` presented when given, and no checks at all when `verify` is false.
    func clientConfiguration(alpn: [String] = []) throws(ConnectorConfigError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca { configuration.trustRoots = .certificates(try Self.certificates(ca, key: "tls.ca")) }
        if let cert, let key {
            configuration.certificateChain = try Self.certificates(cert, key: "tls.cert").map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(key))
        }
        if !verify { configuration.certificateVerification = .none }
        configuration.applicationProtocols = alpn
        return configuration
    }

    /// The server's TLS context, built once for every connection it accepts.
    func serverContext(alpn: [String] = []) throws(ConnectorConfigError) -> NIOSSLContext {
        let configuration = try serverConfiguration(alpn: alpn)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConnectorConfigError(key: "tls", "cannot use the certificate and key: \(Self.describe(error))")
        }
    }

    /// The client's TLS context, built once for every connection it makes.
    func clientContext(alpn: [String] = []) throws(ConnectorConfigError) -> NIOSSLContext {
        let configuration = try clientConfiguration(alpn: alpn)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConnectorConfigError(key: "tls", "cannot set up TLS: \(Self.describe(error))")
        }
    }

    /// Checks that the files read and parse, for `temblor check` and start-up.
    func check(role: Role) throws(ConnectorConfigError) {
        switch role {
        case .server: _ = try serverConfiguration()
        case .client: _ = try clientConfiguration()
        }
    }

    private static func certificates(_ path: String, key: String) throws(ConnectorConfigError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ConnectorConfigError(key: key, "cannot read PEM certificates from \(path): \(describe(error))")
        }
        guard !certificates.isEmpty else {
            throw ConnectorConfigError(key: key, "\(path) holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        return certificates
    }

    private static func privateKey(_ path: String) throws(ConnectorConfigError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw ConnectorConfigError(key: "tls.key", "cannot read a PEM private key from \(path): \(describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let io = error as? NIOSSLError, case .failedToLoadCertificate = io { return "not a readable PEM file" }
        if let io = error as? NIOSSLError, case .failedToLoadPrivateKey = io { return "not a readable PEM key" }
        return "\(error)"
    }
}
