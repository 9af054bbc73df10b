import Hummingbird
import Logging
import NIOCore

/// The reference for the web benchmarks: a plain Hummingbird application answering what the
/// `http_server` flows answer (a POST whose body is read, then 202), measured by `wrk` in the
/// same run as Temblor's flows.
enum HttpBenchmarks {
    static func plainHummingbird(port: Int) async throws {
        let router = Router()
        router.post("/") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            return .accepted
        }
        var logger = Logger(label: "bench.hummingbird")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
