import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of the daemon's HTTP server.
public struct NurtureRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// The daemon's routes. Authenticated: `/v1/...`, `/healthz`, `/metrics`, all behind the bearer token. Public:
/// `/u/` and `/c/` (unsubscribe and click links, which must work from any mail client; `PublicRoutes`), never
/// under the token's middleware, and never under `/v1`.
public enum NurtureRoutes {
    /// - Parameters:
    ///   - token: read on every request, so a reload can change it.
    ///   - maxBodyBytes: larger request bodies get 413 without being read to the end.
    public static func router(
        backend: some APIBackend, links: some LinkBackend, token: @escaping @Sendable () -> APIToken,
        maxBodyBytes: Int
    ) -> Router<NurtureRequestContext> {
        let router = Router(context: NurtureRequestContext.self)
        PublicRoutes.add(to: router, backend: links)
        let api = router.group().add(middleware: BearerTokenMiddleware(token: token))
        let body = BodyReader(limit: maxBodyBytes)

        api.post("/v1/enrollments") { request, _ in
            reply(try await backend.enroll(EnrollmentCall(json: try await body.json(of: request))))
        }
        api.post("/v1/events") { request, _ in
            reply(try await backend.record(EventCall(json: try await body.json(of: request))))
        }
        api.post("/v1/stops") { request, _ in
            reply(try await backend.stop(StopCall(json: try await body.json(of: request))))
        }
        api.post("/v1/sends") { request, _ in
            reply(try await backend.send(SendCall(json: try await body.json(of: request))))
        }
        api.get("/v1/status") { _, _ in reply(try await backend.status()) }
        api.get("/v1/prospects/:email/timeline") { _, context in
            let email = try context.parameters.require("email")
            return reply(try await backend.timeline(email: email.removingPercentEncoding ?? email))
        }
        api.get("/v1/suppressions") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: try await backend.exportSuppressions())))
        }
        // A suppression list can be long: its own, larger limit.
        let list = BodyReader(limit: max(maxBodyBytes, suppressionListBytes))
        api.post("/v1/suppressions") { request, _ in
            reply(try await backend.importSuppressions(csv: try await list.bytes(of: request)))
        }
        api.get("/healthz") { _, _ in reply(await backend.health()) }
        api.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await backend.metrics())))
        }
        return router
    }

    /// The largest suppression list `POST /v1/suppressions` takes in one go.
    static let suppressionListBytes = 32 * 1024 * 1024

    static func reply(_ reply: APIReply) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: reply.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.json)))
    }
}

/// Reads a request body up to a limit, refusing a larger one with 413 before reading it all.
struct BodyReader: Sendable {
    let limit: Int

    func json(of request: Request) async throws(APIError) -> JSONObject {
        try JSONObject(try await bytes(of: request))
    }

    func bytes(of request: Request) async throws(APIError) -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw APIError(.badRequest, code: "invalid_body", "cannot read the request body: \(error)")
        }
        return Array(buffer.readableBytesView)
    }

    private var tooLarge: APIError {
        APIError(.contentTooLarge, code: "too_large", "the request body is over \(limit) bytes")
    }
}
