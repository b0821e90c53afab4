import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What the public routes do, apart from HTTP: the daemon implements it with its link signer and store.
public protocol LinkBackend: Sendable {
    /// `GET /u/{token}`: who the link unsubscribes, for the confirmation page; nil for a token that is not ours.
    func unsubscribeTarget(token: String) async -> UnsubscribeTarget?
    /// `POST /u/{token}`: unsubscribes at once, for every campaign; nil for a token that is not ours. Using a
    /// valid link again changes nothing and still answers that the address is unsubscribed.
    func unsubscribe(token: String, oneClick: Bool) async -> UnsubscribeTarget?
    /// `GET /c/{token}`: records the click and returns exactly the link it was made for; nil for a bad token.
    func click(token: String) async -> String?
}

/// Who an unsubscribe link is for, as the page shows it.
public struct UnsubscribeTarget: Sendable, Equatable {
    /// Masked (`d***@example.com`): a forwarded link should not show the whole address to whoever opens it.
    public let maskedEmail: String
    /// Who the emails are from, by name.
    public let sender: String

    public init(email: String, sender: String) {
        let parts = email.split(separator: "@", maxSplits: 1)
        maskedEmail =
            parts.count == 2 ? "\(parts[0].prefix(1))***@\(parts[1])" : String(email.prefix(1)) + "***"
        self.sender = sender
    }
}

/// The routes every mail client and every recipient reaches without a token: unsubscribe (`/u/`, with RFC 8058
/// one-click) and click redirects (`/c/`). A token that is forged, altered or truncated gets one plain refusal,
/// the same for every kind of mistake, and changes nothing.
public enum PublicRoutes {
    static let maxBodyBytes = 8 * 1024

    public static func add(to router: Router<NurtureRequestContext>, backend: some LinkBackend) {
        router.get("/u/:token") { _, context in
            guard let target = await backend.unsubscribeTarget(token: try context.parameters.require("token")) else {
                return refusal
            }
            return page(
                title: "Unsubscribe",
                body: """
                    <h1>Unsubscribe</h1>
                    <p>Stop all emails from \(escape(target.sender)) to \(escape(target.maskedEmail))?</p>
                    <form method="post"><button type="submit" name="confirm" value="1">Unsubscribe</button></form>
                    """)
        }
        router.post("/u/:token") { request, context in
            // RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click`; our own page's button posts too.
            let body = try? await request.body.collect(upTo: maxBodyBytes)
            let oneClick = body.map { String(buffer: $0).contains("List-Unsubscribe=One-Click") } ?? false
            guard
                let target = await backend.unsubscribe(
                    token: try context.parameters.require("token"), oneClick: oneClick)
            else { return refusal }
            return page(
                title: "Unsubscribed",
                body: """
                    <h1>You are unsubscribed</h1>
                    <p>\(escape(target.maskedEmail)) will get no more emails from \(escape(target.sender)).</p>
                    """)
        }
        router.get("/c/:token") { _, context in
            guard let url = await backend.click(token: try context.parameters.require("token")) else { return refusal }
            var headers = privateHeaders
            headers[.location] = url
            return Response(status: .found, headers: headers)
        }
    }

    /// The one answer to any token that is not ours.
    static var refusal: Response {
        var response = page(
            title: "Link not valid",
            body: """
                <h1>This link is not valid</h1>
                <p>It may have been cut short by your mail program. To stop our emails, reply to one of them with \
                the word "unsubscribe".</p>
                """)
        response.status = .notFound
        return response
    }

    /// Nothing cached, nothing leaked to the next site through Referer, nothing loaded from elsewhere.
    static var privateHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return headers
    }

    static func page(title: String, body: String) -> Response {
        var headers = privateHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>\(title)</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}\
            button{font-size:1rem;padding:.5rem 1.25rem}</style></head>
            <body>\(body)</body></html>

            """
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
