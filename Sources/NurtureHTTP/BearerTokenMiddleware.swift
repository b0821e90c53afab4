import HTTPTypes
import Hummingbird

/// Lets a request through only with `Authorization: Bearer TOKEN`. The token is asked for on every request, so a
/// reload can rotate it without a restart.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: @Sendable () -> APIToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else {
            throw APIError(
                .unauthorized, code: "unauthorized",
                "this call needs `Authorization: Bearer TOKEN`, with the token from the daemon's token file")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix,
            token().matches(header.utf8.dropFirst(prefix.count))
        else {
            throw APIError(.unauthorized, code: "unauthorized", "wrong token")
        }
        return try await next(request, context)
    }
}
