import Foundation
import HTTPTypes
import Hummingbird

/// A refused API call: the HTTP status and a JSON body that says what to change, naming the field when one is at
/// fault: `{"error": {"code": "invalid_field", "field": "email", "message": "..."}}`.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    /// Stable, for scripts: `unauthorized`, `invalid_json`, `invalid_field`, `not_found`, `conflict`, ...
    public let code: String
    public let message: String
    /// The request field at fault, as a dotted path (`attributes.first_name`).
    public let field: String?

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// 422: the request was well-formed JSON but `field` cannot be used.
    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_field", message, field: field)
    }

    public static func notFound(_ message: String, field: String? = nil) -> APIError {
        APIError(.notFound, code: "not_found", message, field: field)
    }

    public static func conflict(_ message: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: "conflict", message, field: field)
    }

    /// 500, for a failure of ours (the state database, say); the message must not carry secrets.
    public static func internalError(_ message: String) -> APIError {
        APIError(.internalServerError, code: "internal", message)
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="nurture""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let field: String?
            let message: String
        }
        let error: Detail
    }

    var body: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Body(error: .init(code: code, field: field, message: message)))) ?? Data()
    }
}
