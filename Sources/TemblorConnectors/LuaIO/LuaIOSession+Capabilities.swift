import NIOCore
import TemblorLua

extension LuaIOSession {
    /// The address to use for `host:port` when a `net` grant covers it: a resolved address of
    /// `host` that is also a resolved address of a matching grant (any, for a `*` host). The
    /// caller connects or sends to exactly that address, so a second lookup cannot change it.
    func checkNet(host: String, port: Int) async -> Result<String, LuaIOFailure> {
        let target = LuaCapabilities.NetGrant(host: host, port: port).description
        let grants = capabilities.net.filter { $0.port == nil || $0.port == port }
        guard !grants.isEmpty else { return .failure(deny(.net, target)) }
        let requested: [String]
        switch await offload({ () throws(LuaIOFailure) -> [String] in try LuaResolver.addresses(of: host).get() }) {
        case .success(let addresses):
            requested = addresses
        case .failure(let failure):
            // Only a host that could have been granted learns that its name does not resolve.
            if grants.contains(where: { $0.host == nil || $0.host?.lowercased() == host.lowercased() }) { return .failure(failure) }
            return .failure(deny(.net, target))
        }
        for grant in grants {
            guard let name = grant.host else { return .success(requested[0]) }
            guard let granted = await addresses(ofGrant: name) else { continue }
            if let address = requested.first(where: granted.contains) { return .success(address) }
        }
        return .failure(deny(.net, target))
    }

    /// The socket address to reach `host:port` at, once `port` is valid and a `net` grant covers
    /// it (see `checkNet`); the message of the failure otherwise.
    func grantedAddress(host: String, port: Int) async -> Result<SocketAddress, LuaIOFailure> {
        guard (1...65_535).contains(port) else { return .failure(LuaIOFailure("the port must be a number from 1 to 65535, got \(port)")) }
        switch await checkNet(host: host, port: port) {
        case .success(let ip):
            guard let address = try? SocketAddress(ipAddress: ip, port: port) else { return .failure(LuaIOFailure("cannot use the address \(ip)")) }
            return .success(address)
        case .failure(let failure):
            return .failure(failure)
        }
    }

    /// The addresses of a granted host, looked up once per session (a name that does not
    /// resolve is tried again next time).
    private func addresses(ofGrant name: String) async -> [String]? {
        if let known = grantAddresses[name] { return known }
        guard case .success(let addresses) = await offload({ () throws(LuaIOFailure) -> [String] in try LuaResolver.addresses(of: name).get() })
        else { return nil }
        grantAddresses[name] = addresses
        return addresses
    }

    /// The resolved path to open for `path` (relative to the flow's directory) when a grant
    /// covers it: `write` grants for writing, `read` and `write` grants for reading.
    func checkPath(_ path: String, write: Bool) async -> Result<LuaFileSystem.Resolved, LuaIOFailure> {
        let joined = path.hasPrefix("/") ? path : capabilities.directory + "/" + path
        let roots = write ? capabilities.write : capabilities.read + capabilities.write
        let checked = await offload { () throws(LuaIOFailure) -> (LuaFileSystem.Resolved, Bool) in
            let resolved = LuaFileSystem.resolve(joined)
            let allowed = roots.contains { root in LuaFileSystem.isInside(resolved.path, LuaFileSystem.realPath(root) ?? root) }
            return (resolved, allowed)
        }
        switch checked {
        case .failure(let failure):
            return .failure(failure)
        case .success((let resolved, true)):
            return .success(resolved)
        case .success((let resolved, false)):
            return .failure(deny(write ? .write : .read, resolved.path))
        }
    }
}
