// Invariants: the `addrinfo` list from getaddrinfo is read only between the call and its
// freeaddrinfo, within `addresses(of:)`; each `ai_addr` is read as the sockaddr type its
// `ai_family` names, and inet_ntop writes into a stack buffer of INET6_ADDRSTRLEN bytes.
// Blocking: call it off the event loops (the session runs it on NIOThreadPool.singleton).
#if canImport(Glibc)
import Glibc
#endif

/// Looks up the addresses of a host name (or reads a numeric address) with the system resolver,
/// as the capability check compares addresses, not names.
enum LuaResolver {
    /// The distinct IPv4 and IPv6 addresses of `host`, in the resolver's order, as text
    /// (`127.0.0.1`, `::1`); a failure names the host and the resolver's reason.
    static func addresses(of host: String) -> Result<[String], LuaIOFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            return .failure(LuaIOFailure("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var found: [String] = []
        var node = list
        while let entry = node {
            if let address = text(entry.pointee), !found.contains(address) { found.append(address) }
            node = entry.pointee.ai_next
        }
        guard !found.isEmpty else { return .failure(LuaIOFailure("cannot resolve \(host): no address")) }
        return .success(found)
    }

    private static func text(_ entry: addrinfo) -> String? {
        guard let address = entry.ai_addr else { return nil }
        var characters = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch entry.ai_family {
        case AF_INET:
            var ip = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &ip, &characters, socklen_t(characters.count)) != nil else { return nil }
        case AF_INET6:
            var ip = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &ip, &characters, socklen_t(characters.count)) != nil else { return nil }
        default:
            return nil
        }
        return characters.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
