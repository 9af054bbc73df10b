import Foundation
import Hummingbird
import TemblorRuntime

/// The daemon's HTTP API over a `FlowRegistry`: flows listed, deployed, paused, resumed, reloaded
/// and stopped; Prometheus metrics; the health endpoints an orchestrator polls; the status page.
public struct DaemonApi: Sendable {
    /// Bodies larger than this are refused with 413.
    public static let maxBodyBytes = 1 << 20

    let registry: FlowRegistry
    /// Where flows deployed over the API resolve their relative paths.
    let directory: String
    /// The directories a flow deployed over the API may name files under; `nil` allows any.
    let roots: [String]?
    /// With a token, every request but the health endpoints needs `Authorization: Bearer TOKEN`.
    let token: String?

    public init(registry: FlowRegistry, directory: String, roots: [String]? = nil, token: String? = nil) {
        self.registry = registry
        self.directory = directory
        self.roots = roots
        self.token = token
    }

    /// The routes, for an `Application`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        let registry = self.registry
        let (directory, roots) = (self.directory, self.roots)

        router.get("/") { _, _ in StatusPage.response }
        router.get("/healthz") { _, _ in Response(status: .ok) }
        router.get("/readyz") { _, _ -> Response in
            let failed = await registry.list().filter { $0.status == .failed }
            guard failed.isEmpty else {
                return ApiError(.serviceUnavailable, "not every flow runs", details: failed.map { "\($0.id): \($0.error ?? "failed")" }).response
            }
            return Response(status: .ok)
        }
        router.get("/metrics") { _, _ -> Response in
            await registry.sampleMetrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: registry.metrics.text())))
        }
        router.get("/v1/flows") { _, _ in ApiJSON.response(.ok, await registry.list().map(FlowJSON.init)) }
        router.post("/v1/flows") { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBodyBytes)
            } catch {
                return ApiError(.contentTooLarge, "the body is over \(Self.maxBodyBytes) bytes").response
            }
            let (id, yaml): (String?, String)
            if request.headers[.contentType]?.hasPrefix("application/json") == true {
                struct Deploy: Decodable { var id: String; var flow: String }
                guard let deploy = try? JSONDecoder().decode(Deploy.self, from: Data(body.readableBytesView)) else {
                    return ApiError(.badRequest, #"expected {"id": "...", "flow": "<the flow's YAML>"}"#).response
                }
                (id, yaml) = (deploy.id, deploy.flow)
            } else {
                (id, yaml) = (request.uri.queryParameters["id"].map(String.init), String(buffer: body))
            }
            guard let id else { return ApiError(.badRequest, "name the flow: POST /v1/flows?id=NAME with its YAML as the body").response }
            return await Self.answer(.created) { () async throws(FlowRegistryError) in
                FlowJSON(try await registry.deploy(id: id, yaml: yaml, directory: directory, roots: roots, persist: true))
            }
        }
        router.post("/v1/reload") { _, _ in ApiJSON.response(.ok, ReloadJSON(await registry.reloadAll())) }
        router.get("/v1/flows/:id") { _, context in
            await Self.answer { () async throws(FlowRegistryError) in FlowDetailJSON(try await registry.detail(Self.id(context))) }
        }
        router.patch("/v1/flows/:id") { request, context -> Response in
            var request = request
            struct Change: Decodable { var status: String }
            guard let body = try? await request.collectBody(upTo: Self.maxBodyBytes),
                  let change = try? JSONDecoder().decode(Change.self, from: Data(body.readableBytesView)),
                  change.status == "paused" || change.status == "running"
            else {
                return ApiError(.badRequest, #"expected {"status": "paused"} or {"status": "running"}"#).response
            }
            return await Self.answer { () async throws(FlowRegistryError) in FlowJSON(try await registry.setPaused(Self.id(context), change.status == "paused")) }
        }
        router.delete("/v1/flows/:id") { _, context in
            await Self.answer { () async throws(FlowRegistryError) in
                let report = try await registry.stop(Self.id(context))
                return StoppedJSON(id: Self.id(context), eventsIn: report.produced, eventsOut: report.acked, failed: report.failed)
            }
        }
        router.post("/v1/flows/:id/reload") { _, context in
            await Self.answer { () async throws(FlowRegistryError) in
                let id = Self.id(context)
                return ReloadJSON([(id, try await registry.reload(id))])
            }
        }

        Self.refuseOtherMethods(on: router, [
            ("/", [.get]), ("/healthz", [.get]), ("/readyz", [.get]), ("/metrics", [.get]), ("/v1/flows", [.get, .post]),
            ("/v1/reload", [.post]), ("/v1/flows/:id", [.get, .patch, .delete]), ("/v1/flows/:id/reload", [.post]),
        ])
        return router
    }

    /// 405 with `Allow` for every method an endpoint does not take.
    static func refuseOtherMethods(on router: Router<BasicRequestContext>, _ endpoints: [(RouterPath, [HTTPRequest.Method])]) {
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for (path, allowed) in endpoints {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in methods where !allowed.contains(method) && !(method == .head && allowed.contains(.get)) {
                router.on(path, method: method) { request, _ -> Response in
                    var response = ApiError(.methodNotAllowed, "\(request.method) is not allowed here; use \(allow)").response
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
    }

    static func id(_ context: BasicRequestContext) -> String {
        context.parameters.get("id") ?? ""
    }

    /// `body`'s value as JSON with `status`, or the registry's refusal as an API error.
    static func answer(
        _ status: HTTPResponse.Status = .ok, _ body: () async throws(FlowRegistryError) -> some Encodable
    ) async -> Response {
        do throws(FlowRegistryError) {
            return ApiJSON.response(status, try await body())
        } catch {
            return ApiError(error).response
        }
    }
}
