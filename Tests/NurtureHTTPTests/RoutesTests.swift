import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NurtureHTTP
import NurtureTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The routes on a real Hummingbird server on loopback, over a backend that records what reached it.
struct RoutesTests {
    static let token = APIToken("s3cret-token-for-the-tests")!

    /// Remembers every call that got past the routes.
    final class RecordingBackend: APIBackend {
        let enrollments = Mutex<[EnrollmentCall]>([])

        func enroll(_ call: EnrollmentCall) async throws(APIError) -> APIReply {
            enrollments.withLock { $0.append(call) }
            if call.email == "taken@example.com" { throw .conflict("already active", field: "email") }
            return APIReply(.created, json: Data(#"{"outcome":"enrolled"}"#.utf8))
        }
        func record(_ call: EventCall) async throws(APIError) -> APIReply { APIReply(json: Data("{}".utf8)) }
        func stop(_ call: StopCall) async throws(APIError) -> APIReply { APIReply(json: Data("{}".utf8)) }
        func send(_ call: SendCall) async throws(APIError) -> APIReply { APIReply(json: Data("{}".utf8)) }
        func status() async throws(APIError) -> APIReply { APIReply(json: Data(#"{"pending":0}"#.utf8)) }
        func timeline(email: String) async throws(APIError) -> APIReply {
            APIReply(json: Data(#"{"email":"\#(email)"}"#.utf8))
        }
        func health() async -> APIReply { APIReply(json: Data(#"{"status":"ok"}"#.utf8)) }
        func exportSuppressions() async throws(APIError) -> String { "email,reason,since,source\n" }
        func importSuppressions(csv: [UInt8]) async throws(APIError) -> APIReply {
            APIReply(json: Data(#"{"bytes":\#(csv.count)}"#.utf8))
        }
        func metrics() async -> String { "nurture_up 1\n" }
    }

    struct NoLinks: LinkBackend {
        func unsubscribeTarget(token: String) async -> UnsubscribeTarget? { nil }
        func unsubscribe(token: String, oneClick: Bool) async -> UnsubscribeTarget? { nil }
        func click(token: String) async -> String? { nil }
    }

    /// Knows one unsubscribe token and one click token, as the link signer would, and remembers every unsubscribe
    /// it did.
    final class OneGoodLink: LinkBackend {
        static let unsubscribeToken = "good-unsubscribe-token"
        static let clickToken = "good-click-token"
        static let signedURL = "https://acme.example/guide?utm_source=nurture#part-2"

        let unsubscribed = Mutex<[String]>([])

        func unsubscribeTarget(token: String) async -> UnsubscribeTarget? {
            token == Self.unsubscribeToken ? UnsubscribeTarget(email: "dana@prospect.example", sender: "Acme") : nil
        }
        func unsubscribe(token: String, oneClick: Bool) async -> UnsubscribeTarget? {
            guard token == Self.unsubscribeToken else { return nil }
            unsubscribed.withLock { $0.append(token) }
            return UnsubscribeTarget(email: "dana@prospect.example", sender: "Acme")
        }
        func click(token: String) async -> String? {
            token == Self.clickToken ? Self.signedURL : nil
        }
    }

    struct Answer {
        let status: Int
        let body: Data
        let headers: [AnyHashable: Any]

        var error: [String: String] {
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            return (object?["error"] as? [String: String]) ?? [:]
        }
    }

    /// Starts the server on a free port, runs `body` against it, stops it.
    func withServer(
        maxBodyBytes: Int = 1024, links: some LinkBackend = NoLinks(),
        _ body: @Sendable (String, RecordingBackend) async throws -> Void
    ) async throws {
        let backend = RecordingBackend()
        let router = NurtureRoutes.router(
            backend: backend, links: links, token: { Self.token }, maxBodyBytes: maxBodyBytes)
        let (ports, port) = AsyncStream<Int>.makeStream()
        // Stopping the server by cancelling its task is expected here: not worth an error line in the test output.
        var quiet = Logger(label: "routes-tests")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let bound = try #require(await iterator.next())
            try await body("http://127.0.0.1:\(bound)", backend)
            group.cancelAll()
        }
    }

    func call(
        _ method: String, _ url: String, authorization: String? = token.headerValue, body: String? = nil
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return Answer(status: http.statusCode, body: data, headers: http.allHeaderFields)
    }

    @Test func everyAuthenticatedRouteRefusesAMissingOrWrongToken() async throws {
        try await withServer { base, backend in
            let routes = [
                ("POST", "/v1/enrollments"), ("POST", "/v1/events"), ("POST", "/v1/stops"), ("POST", "/v1/sends"),
                ("GET", "/v1/status"), ("GET", "/v1/prospects/dana@example.com/timeline"), ("GET", "/healthz"),
                ("GET", "/metrics"), ("GET", "/v1/suppressions"), ("POST", "/v1/suppressions"),
            ]
            let wrong = [
                nil, "Bearer wrong-token-of-other-length", "Bearer s3cret-token-for-the-testz", "Basic czNjcmV0",
                "Bearer ", "Bearer s3cret-token-for-the-tests-and-more", "Bearer xs3cret-token-for-the-tests",
                "Bearer s3cret-token-for-the-test", "Bearer 3cret-token-for-the-tests", "s3cret-token-for-the-tests",
                "Bearer  s3cret-token-for-the-tests", "Bearers3cret-token-for-the-tests",
                "Token s3cret-token-for-the-tests", "Bearer S3CRET-TOKEN-FOR-THE-TESTS",
                "Basic " + Data("s3cret-token-for-the-tests".utf8).base64EncodedString(),
                "Basic " + Data("user:s3cret-token-for-the-tests".utf8).base64EncodedString(), "Bearer", "",
            ]
            for (method, path) in routes {
                for authorization in wrong {
                    let answer = try await call(
                        method, base + path, authorization: authorization,
                        body: method == "POST" ? #"{"campaign":"a","email":"b@c.d"}"# : nil)
                    #expect(answer.status == 401, "\(method) \(path) with \(authorization ?? "no header")")
                    #expect(answer.error["code"] == "unauthorized")
                }
            }
            #expect(backend.enrollments.withLock { $0.isEmpty }, "nothing reached the backend")
            #expect(try await call("GET", base + "/healthz").status == 200)
            #expect(try await call("GET", base + "/metrics").status == 200)
            #expect(
                try await call("GET", base + "/v1/status", authorization: "bearer s3cret-token-for-the-tests").status
                    == 200)
        }
    }

    @Test func anEnrollmentReachesTheBackendWithItsFieldsAndItsStatus() async throws {
        try await withServer { base, backend in
            let created = try await call(
                "POST", base + "/v1/enrollments",
                body: #"""
                    {"campaign": "web-lead-followup", "email": "dana@example.com", "timezone": "Europe/Berlin",
                     "attributes": {"first_name": "Dana", "employees": 50, "vip": true, "fax": null},
                     "restart": true, "enrolled_at": "2026-11-23T14:00:00Z"}
                    """#)
            #expect(created.status == 201)
            let call = try #require(backend.enrollments.withLock { $0.first })
            #expect(call.campaign == "web-lead-followup")
            #expect(call.attributes == ["first_name": "Dana", "employees": "50", "vip": "true"])
            #expect(call.restart)
            #expect(call.timezone == "Europe/Berlin")
            #expect(call.enrolledAt == ISO8601DateFormatter().date(from: "2026-11-23T14:00:00Z"))

            let conflict = try await self.call(
                "POST", base + "/v1/enrollments", body: #"{"campaign":"a","email":"taken@example.com"}"#)
            #expect(conflict.status == 409)
            #expect(conflict.error == ["code": "conflict", "field": "email", "message": "already active"])
        }
    }

    @Test(arguments: [
        (#"{"email": "dana@example.com"}"#, "campaign", "`campaign` is required"),
        (#"{"campaign": 7, "email": "dana@example.com"}"#, "campaign", "`campaign` must be a string"),
        (#"{"campaign": "a", "emial": "dana@example.com"}"#, "emial", "unknown field `emial`"),
        (#"{"campaign": "a", "email": " "}"#, "email", "`email` must not be empty"),
        (#"{"campaign": "a", "email": "d@e.f", "restart": "yes"}"#, "restart", "`restart` must be true or false"),
        (#"{"campaign": "a", "email": "d@e.f", "attributes": ["x"]}"#, "attributes", "must be an object"),
        (#"{"campaign": "a", "email": "d@e.f", "attributes": {"a b": "x"}}"#, "attributes.a b", "field names"),
        (#"{"campaign": "a", "email": "d@e.f", "attributes": {"t": {"x": 1}}}"#, "attributes.t", "must be text"),
        (
            #"{"campaign": "a", "email": "d@e.f", "attributes": {"first_name": "Dana\r\nBcc: all@example.com"}}"#,
            "attributes.first_name", "must be one line"
        ),
        (#"{"campaign": "a", "email": "d@e.f", "enrolled_at": "yesterday"}"#, "enrolled_at", "ISO 8601"),
        (
            #"{"campaign": "a", "email": "d@e.f", "attributes": {"id": 12345678901234567890}}"#, "attributes.id",
            "as a string"
        ),
    ])
    func aBadFieldIs422NamingTheField(body: String, field: String, message: String) async throws {
        try await withServer { base, backend in
            let answer = try await call("POST", base + "/v1/enrollments", body: body)
            #expect(answer.status == 422)
            #expect(answer.error["code"] == "invalid_field")
            #expect(answer.error["field"] == field)
            #expect(answer.error["message"]?.contains(message) == true, "\(answer.error)")
            #expect(backend.enrollments.withLock { $0.isEmpty })
        }
    }

    @Test(arguments: ["{", "[1, 2]", "", "\"text\""])
    func aBodyThatIsNotAJSONObjectIs400(body: String) async throws {
        try await withServer { base, _ in
            let answer = try await call("POST", base + "/v1/events", body: body)
            #expect(answer.status == 400)
            #expect(answer.error["code"] == "invalid_json")
        }
    }

    @Test func aBodyOverTheLimitIs413AndNeverReachesTheBackend() async throws {
        try await withServer(maxBodyBytes: 1024) { base, backend in
            let padding = String(repeating: "x", count: 2000)
            let answer = try await call(
                "POST", base + "/v1/enrollments",
                body: #"{"campaign": "a", "email": "d@e.f", "attributes": {"note": "\#(padding)"}}"#)
            #expect(answer.status == 413)
            #expect(answer.error["code"] == "too_large")
            #expect(backend.enrollments.withLock { $0.isEmpty })
        }
    }

    @Test func aSuppressionListMayBeFarLargerThanAnAPICall() async throws {
        try await withServer(maxBodyBytes: 1024) { base, _ in
            let csv = "email\n" + String(repeating: "someone@example.com\n", count: 1000)
            let answer = try await call("POST", base + "/v1/suppressions", body: csv)
            #expect(answer.status == 200)
            #expect(String(decoding: answer.body, as: UTF8.self) == #"{"bytes":\#(csv.utf8.count)}"#)
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413Too() async throws {
        try await withServer(maxBodyBytes: 1024) { base, backend in
            // A stream has no Content-Length: it goes chunked, and only reading it can find it too large.
            var request = URLRequest(url: URL(string: base + "/v1/enrollments")!)
            request.httpMethod = "POST"
            request.setValue(Self.token.headerValue, forHTTPHeaderField: "Authorization")
            let padding = String(repeating: "x", count: 4000)
            request.httpBodyStream = InputStream(
                data: Data(#"{"campaign": "a", "email": "d@e.f", "attributes": {"note": "\#(padding)"}}"#.utf8))
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 413)
            #expect(backend.enrollments.withLock { $0.isEmpty })
        }
    }

    @Test func aTimelineTakesAnEncodedAddress() async throws {
        try await withServer { base, _ in
            let answer = try await call("GET", base + "/v1/prospects/dana%2Bnews%40example.com/timeline")
            #expect(answer.status == 200)
            #expect(String(decoding: answer.body, as: UTF8.self) == #"{"email":"dana+news@example.com"}"#)
        }
    }

    @Test func metricsAreServedAsPrometheusText() async throws {
        try await withServer { base, _ in
            let answer = try await call("GET", base + "/metrics")
            #expect(answer.status == 200)
            #expect((answer.headers["Content-Type"] as? String)?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(String(decoding: answer.body, as: UTF8.self) == "nurture_up 1\n")
        }
    }

    // MARK: the public links

    /// curl's answer: it follows no redirect, and with `--path-as-is` sends `..` and `//` as written.
    struct Page {
        let status: Int
        let location: String?
        let body: String
    }

    func fetch(_ method: String, _ url: String, form: String? = nil) async throws -> Page {
        let folder = try TemporaryFolder()
        let bodyFile = folder.path + "/body"
        let arguments =
            ["-s", "--max-time", "10", "--path-as-is", "-X", method, "-o", bodyFile, "-D", "-"]
            + (form.map { ["--data-raw", $0] } ?? []) + [url]
        // Waiting for curl blocks a thread: not one of the few the server in this process needs to answer it.
        let result = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments: arguments) })
            }
        }
        #expect(result.status == 0, "curl \(arguments): \(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\r\n")
        let location = lines.first { $0.lowercased().hasPrefix("location:") }
        return Page(
            status: lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0,
            location: location.map { $0.dropFirst("location:".count).trimmingCharacters(in: .whitespaces) },
            body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "")
    }

    @Test func aClickRedirectsOnlyToTheSignedURLWhateverTheRequestAddsOrAsksFor() async throws {
        let links = OneGoodLink()
        try await withServer(links: links) { base, _ in
            let good = "/c/" + OneGoodLink.clickToken
            let page = try await fetch("GET", base + good)
            #expect(page.status == 302)
            #expect(page.location == OneGoodLink.signedURL)
            // Whatever the query names, the answer is the signed link or nothing.
            for query in [
                "?url=https://evil.example/", "?next=//evil.example", "?redirect=%2F%2Fevil.example",
                "?u=javascript:alert(1)", "?url=https://evil.example/&url=https://evil.example/",
                "?to=\\\\evil.example",
            ] {
                let answer = try await fetch("GET", base + good + query)
                #expect(answer.status == 302, "\(query)")
                #expect(answer.location == OneGoodLink.signedURL, "\(query)")
            }
            // A URL in place of the token, or after it, is no token: a plain refusal without a Location.
            for path in [
                "/c/https://evil.example/", "/c//evil.example", "/c/%2F%2Fevil.example", "/c/\\\\evil.example",
                "/c/%5C%5Cevil.example", "/c/javascript:alert(1)", "/c/" + "https%3A%2F%2Fevil.example",
                good + "/https://evil.example/", good + "//evil.example", good + "/..", "/c/../c/x", "/c/",
                "/c", "/c/data:text/html,hi",
            ] {
                let answer = try await fetch("GET", base + path)
                #expect((400..<500).contains(answer.status), "\(path): \(answer.status)")
                #expect(answer.location == nil, "\(path) redirected to \(answer.location ?? "")")
                #expect(!answer.body.contains("evil"), "\(path): the page echoes what was asked")
            }
        }
    }

    @Test func aBadUnsubscribeTokenGetsAPlainPageThatRevealsNothingAndUnsubscribesNoOne() async throws {
        let links = OneGoodLink()
        try await withServer(links: links) { base, _ in
            let guesses = [
                "good-unsubscribe-tokem", "good-unsubscribe-toke", "good-unsubscribe-token0", "Good-unsubscribe-token",
                "1", "2", "00000001", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", OneGoodLink.clickToken,
                "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            ]
            var bodies = Set<String>()
            for guess in guesses {
                for (method, form) in [("GET", nil), ("POST", "List-Unsubscribe=One-Click"), ("POST", "confirm=1")] {
                    let page = try await fetch(method, base + "/u/" + guess, form: form)
                    #expect(page.status == 404, "\(method) /u/\(guess)")
                    // ("1" and "2" are in any page: its style sheet has sizes.)
                    #expect(guess.count < 8 || !page.body.contains(guess), "the page echoes the token")
                    #expect(!page.body.contains("<script>"), "the page echoes the token")
                    #expect(!page.body.contains("dana") && !page.body.contains("Acme"), "the page names someone")
                    bodies.insert(page.body)
                }
            }
            #expect(bodies.count == 1, "one page for every kind of bad token")
            #expect(links.unsubscribed.withLock { $0.isEmpty }, "nothing was unsubscribed")

            // The genuine token: the page asks, and only a POST acts.
            let confirm = try await fetch("GET", base + "/u/" + OneGoodLink.unsubscribeToken)
            #expect(confirm.status == 200)
            #expect(confirm.body.contains("d***@prospect.example") && !confirm.body.contains("dana@"))
            #expect(links.unsubscribed.withLock { $0.isEmpty }, "a GET (a link scanner) unsubscribes no one")
            let done = try await fetch(
                "POST", base + "/u/" + OneGoodLink.unsubscribeToken, form: "List-Unsubscribe=One-Click")
            #expect(done.status == 200)
            #expect(links.unsubscribed.withLock { $0 } == [OneGoodLink.unsubscribeToken])
        }
    }

    @Test func thePublicLinksNeedNoTokenAndTheAPIsTokenOpensNothingThere() async throws {
        let links = OneGoodLink()
        try await withServer(links: links) { base, _ in
            // The API's token does not make a bad link good, and a link token is no key to the API.
            let answer = try await call("POST", base + "/u/not-a-token", body: "List-Unsubscribe=One-Click")
            #expect(answer.status == 404)
            #expect(links.unsubscribed.withLock { $0.isEmpty })
            let status = try await call(
                "GET", base + "/v1/status", authorization: "Bearer " + OneGoodLink.unsubscribeToken)
            #expect(status.status == 401)
        }
    }
}
