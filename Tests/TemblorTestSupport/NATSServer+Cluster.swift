import Foundation

extension NATSServer {
    /// `size` routed servers (`n1`, `n2`, …) of one cluster, each with JetStream and its own
    /// store, configuration file and ports. Returns once JetStream has a meta leader.
    public static func cluster(size: Int = 3, name: String = "temblor") async throws -> [NATSServer] {
        guard let binary else { throw Failure("nats-server is not installed (scripts/bootstrap.sh installs it)") }
        var lastProblem = ""
        for _ in 0..<3 {
            let ports = try freePorts(size * 3)
            var nodes: [NATSServer] = []
            for index in 0..<size {
                let (port, monitorPort, clusterPort) = (ports[index * 3], ports[index * 3 + 1], ports[index * 3 + 2])
                let nodeName = "n\(index + 1)"
                let directory = try makeDirectory()
                let routes = (0..<size).filter { $0 != index }.map { "nats-route://127.0.0.1:\(ports[$0 * 3 + 2])" }
                let configuration = """
                    server_name: \(nodeName)
                    listen: 127.0.0.1:\(port)
                    http: 127.0.0.1:\(monitorPort)
                    jetstream {
                      store_dir: "\(directory)/store"
                      max_memory_store: 268435456
                      max_file_store: 1073741824
                    }
                    cluster {
                      name: \(name)
                      listen: 127.0.0.1:\(clusterPort)
                      routes: [\(routes.joined(separator: ", "))]
                    }

                    """
                let path = directory + "/server.conf"
                try configuration.write(toFile: path, atomically: true, encoding: .utf8)
                nodes.append(
                    NATSServer(port: port, monitorPort: monitorPort, clusterPort: clusterPort, name: nodeName, directory: directory, arguments: ["-c", path]))
            }
            for node in nodes { try node.launch(binary) }
            if await waitForCluster(nodes, timeout: .seconds(20)) { return nodes }
            lastProblem = nodes.map { "\($0.name):\n\($0.log)" }.joined(separator: "\n")
            for node in nodes { await node.kill() }
        }
        throw Failure("the nats cluster elected no JetStream meta leader; logs:\n\(lastProblem)")
    }

    /// The JetStream meta leader's name, as this server sees it.
    public var metaLeader: String? {
        guard let jsz = monitoring("/jsz"), let meta = jsz["meta_cluster"] as? [String: Any], let leader = meta["leader"] as? String, !leader.isEmpty
        else { return nil }
        return leader
    }

    /// Waits until every node runs, is routed to all the others, and names the same meta leader
    /// (a node that could not bind its ports makes this fail, and `cluster` tries other ports).
    static func waitForCluster(_ nodes: [NATSServer], timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard nodes.allSatisfy(\.isRunning) else { return false }
            let routed = nodes.allSatisfy { ($0.monitoring("/routez")?["num_routes"] as? Int) == nodes.count - 1 }
            if routed, await waitForMetaLeader(nodes, timeout: .zero) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Waits until every running node is healthy and names the same meta leader.
    public static func waitForMetaLeader(_ nodes: [NATSServer], timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let running = nodes.filter(\.isRunning)
            guard !running.isEmpty else { return false }
            let leaders = Set(running.compactMap(\.metaLeader))
            let healthy = running.allSatisfy { httpGet(port: $0.monitorPort, path: "/healthz")?.status == 200 }
            if leaders.count == 1, running.allSatisfy({ $0.metaLeader != nil }), healthy { return true }
            if timeout > .zero { try? await Task.sleep(for: .milliseconds(100)) }
        } while ContinuousClock.now < deadline
        return false
    }
}
