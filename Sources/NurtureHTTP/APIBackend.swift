import Foundation
import HTTPTypes

/// What the API does, apart from HTTP: the daemon implements it over its store and engine, tests over fakes.
/// Every method either answers with a JSON body or throws an `APIError` that names what to change.
public protocol APIBackend: Sendable {
    /// `POST /v1/enrollments`: 201 with the enrollment, 409 when already active, 422 for a bad field.
    func enroll(_ request: EnrollmentCall) async throws(APIError) -> APIReply
    /// `POST /v1/events`: what a prospect did.
    func record(_ request: EventCall) async throws(APIError) -> APIReply
    /// `POST /v1/stops`: end a prospect's sequences by hand.
    func stop(_ request: StopCall) async throws(APIError) -> APIReply
    /// `POST /v1/sends`: send one step now, touching no enrollment.
    func send(_ request: SendCall) async throws(APIError) -> APIReply
    /// `GET /v1/status`.
    func status() async throws(APIError) -> APIReply
    /// `GET /v1/prospects/{email}/timeline`.
    func timeline(email: String) async throws(APIError) -> APIReply
    /// `GET /v1/suppressions`: the suppression list as CSV (`email,reason,since,source`).
    func exportSuppressions() async throws(APIError) -> String
    /// `POST /v1/suppressions` with a CSV body (`email`, optional `reason`): a JSON summary with bad rows by line.
    func importSuppressions(csv: [UInt8]) async throws(APIError) -> APIReply
    /// `GET /healthz`: 200 while the daemon can read its state, 503 when it cannot.
    func health() async -> APIReply
    /// `GET /metrics`: Prometheus text exposition.
    func metrics() async -> String
}

/// A successful answer: its status and JSON body.
public struct APIReply: Sendable {
    public let status: HTTPResponse.Status
    public let json: Data

    public init(_ status: HTTPResponse.Status = .ok, json: Data) {
        self.status = status
        self.json = json
    }

    /// `value` as JSON, the way the CLI's `--json` prints it (sorted keys, ISO 8601 dates).
    public init(_ status: HTTPResponse.Status = .ok, encoding value: some Encodable) throws(APIError) {
        do {
            self.init(status, json: try JSONEncoder.api.encode(value))
        } catch {
            throw .internalError("cannot encode the answer: \(error)")
        }
    }
}

extension JSONEncoder {
    /// The one JSON shape of the API and of every `--json`.
    public static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    public static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
