import Hummingbird

/// Answers the router's own refusals (no such route, a body it could not read) in the API's
/// error shape, `{"error": "...", "details": []}`, rather than as an empty body.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "no such endpoint: \(request.method) \(request.uri.path)" : error.body ?? error.status.reasonPhrase
            return ApiError(error.status, message).response
        }
    }
}
