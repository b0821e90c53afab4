import Foundation
import NurtureTestSupport
import Testing

/// The public unsubscribe and click links on the real binary, used the way mail clients and people use them:
/// with curl, from the messages the SMTP server received.
struct LinkTests {
    static let campaign = """
        id: hello
        from: "Dana Reyes <dana@acme.example>"
        owner: owner@acme.example
        steps:
          - { id: hi, wait: 0, send_window: any, email: { subject: "Hello", body: hi.md } }
          - { id: later, wait: 60 days, send_window: any, email: { subject: "Later", body: hi.md } }

        """
    static let guide = "https://acme.example/guide?utm_source=nurture&x=1#part-2"

    let server: TestSMTPServer
    let folder: TemporaryFolder

    init() throws {
        server = try TestSMTPServer()
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: ./campaigns\nstate: ./var\nsmtp: { url: \"smtp://127.0.0.1:\(server.port)\" }\n"
                + Daemon.anyPort,
            "campaigns/hello.yml": Self.campaign,
            "campaigns/hi.md": "Here is [the guide](\(Self.guide)).\n",
        ])
    }

    /// curl's answer: status, headers (lower-cased names) and body.
    struct CurlAnswer {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    func curl(_ arguments: [String]) throws -> CurlAnswer {
        let bodyFile = folder.path + "/curl-body-\(UUID().uuidString)"
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/curl"), arguments: ["-s", "-o", bodyFile, "-D", "-"] + arguments)
        #expect(result.status == 0, "curl \(arguments): \(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return CurlAnswer(
            status: status, headers: headers, body: (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "")
    }

    /// Starts the daemon, enrolls `email` and returns the links of the first email it got, as paths.
    func firstEmailLinks(_ email: String, timeScale: String? = nil) throws -> (
        Daemon, DaemonAPI, unsubscribe: String, click: String
    ) {
        let daemon = try Daemon(
            ["--config", folder.path + "/nurture.yml"] + (timeScale.map { ["--time-scale", $0] } ?? []), in: folder,
            environment: [:])
        let api = try DaemonAPI(folder: folder)
        #expect(
            try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "\#(email)"}"#).status == 201
        )
        #expect(try eventually(within: .seconds(5)) { try server.messages().count >= 1 }, "\(daemon.output)")
        let (unsubscribe, click) = try links(ofMessage: 1)
        return (daemon, api, unsubscribe, click)
    }

    /// The unsubscribe and click paths of the `number`th message the server received.
    func links(ofMessage number: Int) throws -> (unsubscribe: String, click: String) {
        let parsed = try PythonEmailParser.parse(bytes: try server.messageBytes(number))
        let header = try #require(parsed.listUnsubscribe)
        let unsubscribe = try #require(header.firstMatch(of: /<https?:\/\/[^\/>]+(\/u\/[A-Za-z0-9_-]+)>/)).1
        let html = try #require(parsed.parts.first { $0.contentType == "text/html" }).content
        let click = try #require(html.firstMatch(of: /href="https?:\/\/[^\/"]+(\/c\/[A-Za-z0-9_-]+)"/)).1
        #expect(!html.contains("acme.example/guide"), "the link is tracked")
        return (String(unsubscribe), String(click))
    }

    func status(_ api: DaemonAPI) throws -> [String: Any] { try api.call("GET", "/v1/status").json }

    @Test func unsubscribeByGetThenPostSuppressesAtOnceAndAgainChangesNothing() throws {
        let (daemon, api, unsubscribe, _) = try firstEmailLinks("pat@example.com")
        let page = try curl([api.base + unsubscribe])
        #expect(page.status == 200)
        #expect(page.body.contains("Stop all emails from Dana Reyes to p***@example.com?"), "\(page.body)")
        #expect(page.body.contains(#"<form method="post">"#))
        #expect(page.headers["cache-control"] == "no-store")
        #expect(try status(api)["suppressed"] as? Int == 0, "a GET (a link scanner) changes nothing")

        let done = try curl(["-X", "POST", "-d", "confirm=1", api.base + unsubscribe])
        #expect(done.status == 200)
        #expect(done.body.contains("You are unsubscribed"))
        #expect(try status(api)["suppressed"] as? Int == 1)
        let again = try curl(["-X", "POST", "-d", "confirm=1", api.base + unsubscribe])
        #expect(again.status == 200)
        let timeline = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json
        let history = try #require(timeline["history"] as? [[String: Any]])
        #expect(history.filter { $0["event"] as? String == "unsubscribe" }.count == 1, "\(history)")
        #expect(daemon.terminate() == 0)
    }

    @Test func oneClickAsAMailProviderSendsIt() throws {
        let (daemon, api, unsubscribe, _) = try firstEmailLinks("pat@example.com")
        // RFC 8058 §3.2: a POST with exactly this form body, no cookies, no prior GET.
        let answer = try curl([
            "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-raw",
            "List-Unsubscribe=One-Click", api.base + unsubscribe,
        ])
        #expect(answer.status == 200)
        let timeline = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json
        let prospect = try #require(timeline["prospect"] as? [String: Any])
        let suppression = try #require(prospect["suppression"] as? [String: Any])
        #expect(suppression["source"] as? String == "one-click")
        #expect(daemon.terminate() == 0)
    }

    @Test func forgedAlteredOrTruncatedTokensGetOnePlainRefusalAndChangeNothing() throws {
        let (daemon, api, unsubscribe, click) = try firstEmailLinks("pat@example.com")
        let token = String(unsubscribe.dropFirst(3))
        var flipped = Array(token)
        flipped[flipped.count / 2] = flipped[flipped.count / 2] == "A" ? "B" : "A"
        let forgeries = [
            "/u/" + String(flipped), "/u/" + token.dropLast(1), "/u/" + token.dropLast(10), "/u/" + token + "A",
            "/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/u/x",
            "/u/" + click.dropFirst(3),  // a valid click token is no unsubscribe token
            "/c/" + token,  // nor the other way round
            "/c/" + click.dropFirst(3).dropLast(2),
        ]
        var bodies = Set<String>()
        for path in forgeries {
            for method in ["GET", "POST"] where !(path.hasPrefix("/c/") && method == "POST") {
                let answer = try curl(
                    ["-X", method, "--data-raw", "List-Unsubscribe=One-Click", api.base + path]
                        .filter { method == "POST" || ($0 != "--data-raw" && $0 != "List-Unsubscribe=One-Click") })
                #expect(answer.status == 404, "\(method) \(path)")
                #expect(answer.headers["location"] == nil)
                bodies.insert(answer.body)
            }
        }
        #expect(bodies.count == 1, "every refusal is the same page")
        #expect(try status(api)["suppressed"] as? Int == 0)
        let timeline = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json
        #expect((timeline["history"] as? [[String: Any]])?.contains { $0["event"] as? String == "click" } == false)
        #expect(daemon.terminate() == 0)
    }

    @Test func aClickRedirectsToExactlyTheTemplatesLinkAndIsRecorded() throws {
        let (daemon, api, _, click) = try firstEmailLinks("pat@example.com")
        let answer = try curl([api.base + click])
        #expect(answer.status == 302)
        #expect(answer.headers["location"] == Self.guide)
        #expect(answer.headers["cache-control"] == "no-store")
        #expect(
            try eventually(within: .seconds(5)) {
                let history = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json["history"]
                return (history as? [[String: Any]])?.contains { $0["event"] as? String == "click" } == true
            })
        #expect(daemon.terminate() == 0)
    }

    @Test func aQuietProspectClickingWeeksLaterAlertsTheOwnerAtOnce() throws {
        // A virtual clock a million times faster: forty days pass in under four seconds.
        let (daemon, api, _, click) = try firstEmailLinks("pat@example.com", timeScale: "1000000")
        let quiet = Date().addingTimeInterval(40 * 86400 / 1_000_000)
        while Date() < quiet { usleep(50_000) }
        #expect(try curl([api.base + click]).status == 302)
        #expect(
            try eventually(within: .seconds(5)) {
                try server.messages().contains { $0.recipients == ["owner@acme.example"] }
            }, "\(daemon.output)")
        let alert = try #require(try server.messages().firstIndex { $0.recipients == ["owner@acme.example"] })
        let parsed = try PythonEmailParser.parse(bytes: try server.messageBytes(alert + 1))
        #expect(parsed.subject == "Nurture: pat@example.com just clicked a link")
        // Logged once the server took it, which the test may see first.
        #expect(
            eventually(within: .seconds(5)) {
                daemon.output.contains("told owner@acme.example that pat@example.com clicked after 4")
            }, "\(daemon.output)")
        // A second click soon after is recorded, but they are not quiet any more: no second alert.
        #expect(try curl([api.base + click]).status == 302)
        #expect(
            try eventually(within: .seconds(5)) {
                let history = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json["history"]
                return (history as? [[String: Any]])?.filter { $0["event"] as? String == "click" }.count == 2
            })
        #expect(try server.messages().filter { $0.recipients == ["owner@acme.example"] }.count == 1)
        #expect(daemon.terminate() == 0)
    }

    @Test func aClickNeverRedirectsAnywhereButTheSignedLink() throws {
        let (daemon, api, unsubscribe, click) = try firstEmailLinks("pat@example.com")
        for query in [
            "?url=https://evil.example/", "?next=//evil.example/", "?to=%2F%2Fevil.example", "?u=javascript:alert(1)",
            "?r=\\\\evil.example", "?url=https%3A%2F%2Fevil.example%2F",
        ] {
            let answer = try curl([api.base + click + query])
            #expect(answer.status == 302, "\(query)")
            #expect(answer.headers["location"] == Self.guide, "\(query)")
        }
        for path in [
            "/c/https://evil.example/", "/c//evil.example", "/c/%2F%2Fevil.example", "/c/\\\\evil.example",
            "/c/javascript:alert(1)", click + "/https://evil.example/", click + "//evil.example", click + "%2F..",
            "/c/" + unsubscribe.dropFirst(3), "/c/",
        ] {
            let answer = try curl(["--path-as-is", api.base + path])
            #expect(answer.status == 404, "\(path)")
            #expect(answer.headers["location"] == nil, "\(path) redirected to \(answer.headers["location"] ?? "")")
        }
        #expect(daemon.terminate() == 0)
    }

    @Test func oneProspectsLinkUnsubscribesThatProspectAloneAndNoLinkIsLogged() throws {
        let daemon = try Daemon(["--config", folder.path + "/nurture.yml"], in: folder, environment: [:])
        let api = try DaemonAPI(folder: folder)
        for email in ["pat@example.com", "sam@example.com"] {
            let answer = try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "\#(email)"}"#)
            #expect(answer.status == 201)
        }
        #expect(try eventually(within: .seconds(5)) { try server.messages().count >= 2 }, "\(daemon.output)")
        var links: [String: (unsubscribe: String, click: String)] = [:]
        for number in 1...2 {
            links[try server.messages()[number - 1].recipients?.first ?? ""] = try self.links(ofMessage: number)
        }
        let pat = try #require(links["pat@example.com"])
        let sam = try #require(links["sam@example.com"])
        #expect(pat.unsubscribe != sam.unsubscribe)

        let page = try curl([api.base + sam.unsubscribe])
        #expect(page.body.contains("s***@example.com") && !page.body.contains("p***@"), "\(page.body)")
        #expect(
            try curl(["-X", "POST", "--data-raw", "List-Unsubscribe=One-Click", api.base + sam.unsubscribe]).status
                == 200)
        #expect(try status(api)["suppressed"] as? Int == 1)
        let patsTimeline = try api.call("GET", "/v1/prospects/pat@example.com/timeline").json
        let history = patsTimeline["history"] as? [[String: Any]] ?? []
        #expect(!history.contains { $0["event"] as? String == "unsubscribe" }, "pat stays subscribed")

        #expect(try curl([api.base + pat.click]).status == 302)
        #expect(daemon.terminate() == 0)
        // A link is a key to someone's subscription: the journal does not keep it.
        for token in [pat.unsubscribe, pat.click, sam.unsubscribe, sam.click].map({ String($0.dropFirst(3)) }) {
            #expect(!daemon.output.contains(token), "a link token is in the log")
        }
    }
}
