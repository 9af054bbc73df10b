import NIOSSL
import TemblorRuntime
import TemblorValue

extension LuaIOSession {
    /// The TLS context of a state's https requests: the connector's `config.tls` (relative
    /// paths from the flow file's directory), else the system's trust store.
    static func tlsContext(_ raw: Value?, directory: String) -> Result<NIOSSLContext, LuaIOFailure> {
        do throws(ConnectorConfigError) {
            let settings = try TLSSettings.parse(raw ?? true, role: .client, directory: directory) ?? TLSSettings(verify: true)
            return .success(try settings.clientContext())
        } catch {
            return .failure(LuaIOFailure("the connector's config \(error.key): \(error.message)"))
        }
    }
}
