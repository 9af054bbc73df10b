import Foundation
import Hummingbird

/// An error as the API answers it: `{"error": "...", "details": [...]}` with its status.
struct ApiError: Error, Encodable, Sendable {
    var status: Int
    var error: String
    var details: [String]

    enum CodingKeys: String, CodingKey { case error, details }

    init(_ status: HTTPResponse.Status, _ error: String, details: [String] = []) {
        self.status = status.code
        self.error = error
        self.details = details
    }

    init(_ refusal: FlowRegistryError) {
        switch refusal {
        case .badId: self.init(.badRequest, refusal.description)
        case .idTaken: self.init(.conflict, refusal.description)
        case .unknown: self.init(.notFound, refusal.description)
        case .notRunning: self.init(.conflict, refusal.description)
        case .invalid(let errors): self.init(.badRequest, "the flow has errors", details: errors.errors.map(\.description))
        case .outsideRoots(_, let path, _): self.init(.forbidden, refusal.description, details: [path])
        case .notPersisted, .failed: self.init(.internalServerError, refusal.description)
        }
    }

    var response: Response { ApiJSON.response(HTTPResponse.Status(code: status), self) }
}
