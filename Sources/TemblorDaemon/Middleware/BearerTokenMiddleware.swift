import Foundation
import Hummingbird

/// Lets through only requests carrying `Authorization: Bearer TOKEN` (or, from the status page in
/// a browser, the `temblor_token` cookie it sets), compared in constant time; the health
/// endpoints stay open, so that an orchestrator needs no secret.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    /// Paths anyone may ask for.
    static var open: Set<String> { ["/healthz", "/readyz"] }

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.open.contains(request.uri.path) { return try await next(request, context) }
        guard let given = Self.credential(request), Self.constantTimeEqual(given, token) else {
            if request.uri.path == "/" { return StatusPage.login }
            var response = ApiError(.unauthorized, "this daemon needs Authorization: Bearer <the token of --api-token-file>").response
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// The token a request carries: its bearer token, else its `temblor_token` cookie.
    static func credential(_ request: Request) -> [UInt8]? {
        if let header = request.headers[.authorization] {
            return header.hasPrefix("Bearer ") ? Array(header.utf8.dropFirst(7)) : nil
        }
        for cookies in request.headers[values: .cookie] {
            for cookie in cookies.split(separator: ";") {
                let pair = cookie.drop { $0 == " " }
                if pair.hasPrefix("temblor_token=") {
                    return Array((String(pair.dropFirst("temblor_token=".count)).removingPercentEncoding ?? "").utf8)
                }
            }
        }
        return nil
    }

    /// Whether `given` equals `expected`, in a time that depends on `expected`'s length only.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
