import Hummingbird
import Logging

/// The API served on an address, as a service of the daemon's `ServiceGroup`.
public enum DaemonServer {
    /// An application serving `api` on `address`; `onRunning` hears the address it bound (the
    /// port the system chose, for port 0).
    public static func application(
        _ api: DaemonApi, address: ApiAddress, logger: Logger,
        onRunning: @escaping @Sendable (ApiAddress) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: api.router(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "temblor"),
            onServerRunning: { channel in
                await onRunning(ApiAddress(host: address.host, port: channel.localAddress?.port ?? address.port))
            },
            logger: logger)
    }
}
