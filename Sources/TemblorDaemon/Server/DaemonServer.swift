#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging
import NIOCore

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

    /// What to tell the operator when serving ended with `error`: a socket error names the
    /// address and the system's reason rather than the call that failed.
    public static func explain(_ error: any Error, address: ApiAddress) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        return "the API cannot listen on \(address): \(String(cString: strerror(error.errnoCode)))"
    }
}
