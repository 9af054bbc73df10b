import Foundation
import Hummingbird
import TemblorRuntime

/// The daemon's HTTP API over a `FlowRegistry`: flows listed, deployed, paused, resumed and
/// stopped, and the health endpoints an orchestrator polls.
public struct DaemonApi: Sendable {
    /// Bodies larger than this are refused with 413.
    public static let maxBodyBytes = 1 << 20

    let registry: FlowRegistry
    /// Where flows deployed over the API resolve their relative paths.
    let directory: String

    public init(registry: FlowRegistry, directory: String) {
        self.registry = registry
        self.directory = directory
    }

    /// The routes, for an `Application`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let registry = self.registry
        let directory = self.directory
        router.get("/healthz") { _, _ in Response(status: .ok) }
        router.get("/readyz") { _, _ -> Response in
            let failed = await registry.list().filter { $0.status == .failed }
            guard failed.isEmpty else {
                return ApiError(.serviceUnavailable, "not every flow runs", details: failed.map { "\($0.id): \($0.error ?? "failed")" }).response
            }
            return Response(status: .ok)
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
            do throws(FlowRegistryError) {
                return ApiJSON.response(.created, FlowJSON(try await registry.deploy(id: id, yaml: yaml, directory: directory)))
            } catch {
                return ApiError(error).response
            }
        }
        router.get("/v1/flows/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            do throws(FlowRegistryError) {
                return ApiJSON.response(.ok, FlowJSON(try await registry.summary(id)))
            } catch {
                return ApiError(error).response
            }
        }
        router.patch("/v1/flows/:id") { request, context -> Response in
            var request = request
            let id = context.parameters.get("id") ?? ""
            struct Change: Decodable { var status: String }
            guard let body = try? await request.collectBody(upTo: Self.maxBodyBytes),
                  let change = try? JSONDecoder().decode(Change.self, from: Data(body.readableBytesView)),
                  change.status == "paused" || change.status == "running"
            else {
                return ApiError(.badRequest, #"expected {"status": "paused"} or {"status": "running"}"#).response
            }
            do throws(FlowRegistryError) {
                return ApiJSON.response(.ok, FlowJSON(try await registry.setPaused(id, change.status == "paused")))
            } catch {
                return ApiError(error).response
            }
        }
        router.delete("/v1/flows/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            do throws(FlowRegistryError) {
                let report = try await registry.stop(id)
                struct Stopped: Encodable { var id: String; var events_in: Int; var events_out: Int; var failed: Int }
                return ApiJSON.response(.ok, Stopped(id: id, events_in: report.produced, events_out: report.acked, failed: report.failed))
            } catch {
                return ApiError(error).response
            }
        }
        return router
    }
}
