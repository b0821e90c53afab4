import Foundation
import NurtureCore
import NurtureStore
import NurtureTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's HTTP API, on the real binary: what a website's webhook, Prometheus and an operator's curl see.
struct APITests {
    static let campaign = """
        id: hello
        from: dana@acme.example
        owner: dana@acme.example
        defaults: { first_name: there }
        steps:
          - { id: hi, wait: 0, send_window: any, email: { subject: "Hello {{first_name}}", body: hi.md } }
          - { id: later, wait: 1 week, email: { subject: "Still there, {{first_name}}?", body: hi.md } }

        """

    let server: TestSMTPServer
    let folder: TemporaryFolder

    init() throws {
        server = try TestSMTPServer()
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: ./campaigns\nstate: ./var\nsmtp: { url: \"smtp://127.0.0.1:\(server.port)\" }\n"
                + Daemon.anyPort,
            "campaigns/hello.yml": Self.campaign,
            "campaigns/hi.md": "Hello {{first_name}}\n",
        ])
    }

    var config: [String] { ["--config", folder.path + "/nurture.yml"] }

    func startDaemon() throws -> (Daemon, DaemonAPI) {
        let daemon = try Daemon(config, in: folder, environment: [:])
        return (daemon, try DaemonAPI(folder: folder))
    }

    @Test func aWebhookEnrollmentSendsAWaitZeroStepWithinOneSecond() throws {
        let (daemon, api) = try startDaemon()
        let answer = try api.call(
            "POST", "/v1/enrollments",
            json: #"{"campaign": "hello", "email": "lead@example.com", "attributes": {"first_name": "Lee"}}"#)
        let answered = ContinuousClock.now
        #expect(answer.status == 201, "\(answer.text)")
        #expect(answer.json["first_step"] as? String == "hi")
        #expect(try eventually(within: .seconds(1)) { try server.messages().count == 1 }, "\(daemon.output)")
        let elapsed = ContinuousClock.now - answered
        #expect(elapsed < .seconds(1), "the first email left \(elapsed) after the API answered")
        #expect(try server.messages().first?.recipients == ["lead@example.com"])

        let again = try api.call(
            "POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "lead@example.com"}"#)
        #expect(again.status == 409)
        #expect((again.json["error"] as? [String: String])?["field"] == "email")
        let invalid = try api.call("POST", "/v1/enrollments", json: #"{"campaign": "helo", "email": "x@example.com"}"#)
        #expect(invalid.status == 422)
        #expect((invalid.json["error"] as? [String: String])?["message"]?.contains("did you mean `hello`?") == true)
        #expect(daemon.terminate() == 0)
    }

    @Test func theAPIRefusesMissingAndWrongTokensAndChangesNothing() throws {
        let (daemon, api) = try startDaemon()
        let enrollment = #"{"campaign": "hello", "email": "lead@example.com"}"#
        for authorization: String? in [nil, "Bearer not-the-token-at-all", "Bearer \(api.token.dropLast())", api.token]
        {
            for (method, path) in [("POST", "/v1/enrollments"), ("GET", "/v1/status"), ("GET", "/metrics")] {
                let answer = try api.call(
                    method, path, json: method == "POST" ? enrollment : nil, authorization: .some(authorization))
                #expect(answer.status == 401, "\(method) \(path) with \(authorization ?? "no token")")
            }
        }
        let status = try api.call("GET", "/v1/status")
        #expect(status.status == 200)
        #expect(status.json["prospects"] as? Int == 0, "no refused call enrolled anyone")
        #expect(try api.call("GET", "/healthz").text.contains(#""status":"ok""#))
        #expect(!daemon.output.contains(api.token), "the token is never logged")
        #expect(daemon.terminate() == 0)
    }

    @Test(.enabled(if: nonLoopbackIPv4() != nil, "needs an address other machines could reach"))
    func theAPIIsNotReachableFromOtherMachinesByDefault() throws {
        let address = try #require(Self.nonLoopbackIPv4())
        let (daemon, api) = try startDaemon()
        #expect(api.base.hasPrefix("http://127.0.0.1:"))
        let port = try #require(api.base.split(separator: ":").last)
        #expect(try api.call("GET", "/healthz").status == 200)
        #expect(throws: (any Error).self, "\(address):\(port) must refuse the connection") {
            try api.call("GET", "/healthz", base: "http://\(address):\(port)")
        }
        #expect(daemon.terminate() == 0)

        // Asking for every interface without `allow_remote` does not start at all.
        try folder.write("state: ./var\napi: { listen: \"0.0.0.0:0\" }\n", to: "remote.yml")
        let refused = try NurtureProcess.run(["run", "--config", folder.path + "/remote.yml"])
        #expect(refused.status == 1)
        #expect(
            refused.stderrText.contains("remote.yml:2:16: error: `listen: 0.0.0.0:0` is reachable from other machines"))
    }

    @Test func metricsParseWithPrometheusOwnParser() throws {
        let (daemon, api) = try startDaemon()
        #expect(
            try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "m@example.com"}"#).status
                == 201)
        #expect(try eventually(within: .seconds(5)) { try server.messages().count == 1 })
        // The send is logged after it is recorded; wait for the log line so the counter has it too.
        #expect(eventually(within: .seconds(5)) { daemon.output.contains("sent hello/hi") })
        let metrics = try api.call("GET", "/metrics")
        #expect(metrics.status == 200)
        let samples = try Self.parsePrometheus(metrics.text)
        #expect(samples["nurture_sends_total{outcome=delivered}"] == 1, "\(metrics.text)")
        #expect(samples["nurture_sends_total{outcome=bounced}"] == 0)
        #expect(samples["nurture_send_lateness_seconds_count"] == 1)
        #expect(samples["nurture_smtp_duration_seconds_count{result=delivered}"] == 1)
        #expect(samples["nurture_steps_due"] == 0)
        #expect(samples["nurture_steps_pending"] == 1, "the second step, a week away")
        #expect(daemon.terminate() == 0)
    }

    /// The `error` object of a refused call: `code`, `field` (absent for a body that is not JSON) and `message`.
    static func refusal(_ answer: DaemonAPI.Answer) -> (code: String?, field: String?, message: String?) {
        let error = answer.json["error"] as? [String: Any] ?? [:]
        return (error["code"] as? String, error["field"] as? String, error["message"] as? String)
    }

    /// After a refused call the daemon still answers and still enrolls.
    func expectStillServing(_ api: DaemonAPI, _ daemon: Daemon, email: String) throws {
        #expect(try api.call("GET", "/healthz").status == 200, "\(daemon.output)")
        let enrolled = try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "\#(email)"}"#)
        #expect(enrolled.status == 201, "\(enrolled.text)")
    }

    @Test func aBodyThatIsNotAJSONObjectIsOne400AndTheDaemonKeepsServing() throws {
        let (daemon, api) = try startDaemon()
        let bodies = [
            "", "{", #"{"campaign": "hello", "email": }"#, #"{"campaign": "hello" "email": "a@example.com"}"#,
            #"{'campaign': 'hello'}"#, "[1, 2]", #""hello""#, "null", "campaign=hello&email=a@example.com",
            String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000),
        ]
        for body in bodies {
            let answer = try api.call("POST", "/v1/enrollments", json: body)
            #expect(answer.status == 400, "\(body.prefix(40)): \(answer.status) \(answer.text)")
            let refusal = Self.refusal(answer)
            #expect(refusal.code == "invalid_json", "\(body.prefix(40)): \(answer.text)")
            #expect(refusal.message?.isEmpty == false)
        }
        try expectStillServing(api, daemon, email: "after-bad-json@example.com")
        #expect(daemon.terminate() == 0)
    }

    @Test func aFieldOfTheWrongTypeIsOne422NamingIt() throws {
        let (daemon, api) = try startDaemon()
        let enroll = #"{"campaign": "hello", "email": "a@example.com", "#
        let cases: [(body: String, field: String)] = [
            (#"{"campaign": 7, "email": "a@example.com"}"#, "campaign"),
            (#"{"campaign": "hello", "email": ["a@example.com"]}"#, "email"),
            (#"{"campaign": "hello", "email": {"address": "a@example.com"}}"#, "email"),
            (#"{"campaign": "hello"}"#, "email"),
            (#"{"campaign": "hello", "emial": "a@example.com"}"#, "emial"),
            (enroll + #""attributes": ["Lee"]}"#, "attributes"),
            (enroll + #""attributes": "Lee"}"#, "attributes"),
            (enroll + #""attributes": {"first_name": {"x": 1}}}"#, "attributes.first_name"),
            (enroll + #""attributes": {"id": 1e300}}"#, "attributes.id"),
            (enroll + #""restart": "yes"}"#, "restart"),
            (enroll + #""enrolled_at": 1764547200}"#, "enrolled_at"),
            (enroll + #""enrolled_at": "yesterday"}"#, "enrolled_at"),
            (enroll + #""timezone": "Mars/Olympus"}"#, "timezone"),
            (enroll + #""prefers": "fax"}"#, "prefers"),
            (#"{"email": "a@example.com", "event": 3}"#, "event"),
        ]
        for (body, field) in cases {
            let path = body.contains(#""event""#) ? "/v1/events" : "/v1/enrollments"
            let answer = try api.call("POST", path, json: body)
            #expect(answer.status == 422, "\(body): \(answer.status) \(answer.text)")
            let refusal = Self.refusal(answer)
            #expect(refusal.code == "invalid_field", "\(body): \(answer.text)")
            #expect(refusal.field == field, "\(body): \(answer.text)")
            #expect(refusal.message?.isEmpty == false)
        }
        #expect(try api.call("GET", "/v1/status").json["prospects"] as? Int == 0, "no refused call enrolled anyone")
        try expectStillServing(api, daemon, email: "after-bad-types@example.com")
        #expect(daemon.terminate() == 0)
    }

    @Test func aBodyOverTheLimitIsOne413AndTheDaemonKeepsServing() throws {
        let (daemon, api) = try startDaemon()
        let padding = String(repeating: "x", count: 70 * 1024)
        let answer = try api.call(
            "POST", "/v1/enrollments",
            json: #"{"campaign": "hello", "email": "big@example.com", "attributes": {"notes": "\#(padding)"}}"#)
        #expect(answer.status == 413, "\(answer.text)")
        #expect(Self.refusal(answer).code == "too_large")
        #expect(Self.refusal(answer).message == "the request body is over 65536 bytes")
        try expectStillServing(api, daemon, email: "after-big@example.com")
        #expect(daemon.terminate() == 0)
    }

    @Test func anInvalidAddressIsOne422OnEveryRouteThatTakesOne() throws {
        let (daemon, api) = try startDaemon()
        let addresses = [
            "not-an-address", "lee@", "@example.com", "lee@@example.com", "lee@example..com", "lee smith@example.com",
            "lee@example.com, pat@example.com", "Lee <lee@example.com>", "lee@exämple.com", " ",
        ]
        for address in addresses {
            let calls = [
                ("/v1/enrollments", #"{"campaign": "hello", "email": "\#(address)"}"#, "email"),
                ("/v1/events", #"{"email": "\#(address)", "event": "reply"}"#, "email"),
                ("/v1/stops", #"{"email": "\#(address)"}"#, "email"),
                ("/v1/sends", #"{"campaign": "hello", "step": "hi", "to": "\#(address)"}"#, "to"),
            ]
            for (path, body, field) in calls {
                let answer = try api.call("POST", path, json: body)
                #expect(answer.status == 422, "\(path) \(address): \(answer.status) \(answer.text)")
                #expect(Self.refusal(answer).field == field, "\(path) \(address): \(answer.text)")
            }
        }
        #expect(try server.messages().isEmpty, "nothing was sent to a bad address")
        try expectStillServing(api, daemon, email: "after-bad-addresses@example.com")
        #expect(daemon.terminate() == 0)
    }

    @Test func lineBreaksInAttributesAndAddressesNeverReachAMailHeader() throws {
        let (daemon, api) = try startDaemon()
        let enroll = #"{"campaign": "hello", "email": "lee@example.com", "#
        let send = #"{"campaign": "hello", "step": "hi", "to": "lee@example.com", "#
        let cases: [(path: String, body: String, field: String)] = [
            (
                "/v1/enrollments", enroll + #""attributes": {"first_name": "Lee\r\nBcc: victim@example.net"}}"#,
                "attributes.first_name"
            ),
            (
                "/v1/enrollments", enroll + #""attributes": {"first_name": "Lee\nBcc: victim@example.net"}}"#,
                "attributes.first_name"
            ),
            (
                "/v1/enrollments", enroll + #""attributes": {"first_name": "Lee\rBcc: victim@example.net"}}"#,
                "attributes.first_name"
            ),
            ("/v1/enrollments", enroll + #""attributes": {"first_name": "Lee\u0000"}}"#, "attributes.first_name"),
            (
                "/v1/enrollments", enroll + #""attributes": {"x\r\nBcc: victim@example.net": "1"}}"#,
                "attributes.x\r\nBcc: victim@example.net"
            ),
            ("/v1/enrollments", enroll + #""timezone": "UTC\r\nBcc: victim@example.net"}"#, "timezone"),
            (
                "/v1/enrollments", #"{"campaign": "hello", "email": "lee@example.com\r\nBcc: victim@example.net"}"#,
                "email"
            ),
            (
                "/v1/sends", send + #""attributes": {"first_name": "Lee\r\nBcc: victim@example.net"}}"#,
                "attributes.first_name"
            ),
        ]
        for (path, body, field) in cases {
            let answer = try api.call("POST", path, json: body)
            #expect(answer.status == 422, "\(body): \(answer.status) \(answer.text)")
            #expect(Self.refusal(answer).code == "invalid_field", "\(body): \(answer.text)")
            #expect(Self.refusal(answer).field == field, "\(body): \(answer.text)")
        }
        #expect(try api.call("GET", "/v1/status").json["prospects"] as? Int == 0, "no refused call enrolled anyone")
        #expect(try server.messages().isEmpty)
        try expectStillServing(api, daemon, email: "after-injection@example.com")
        #expect(daemon.terminate() == 0)
    }

    /// Every sample as `name{label=value,...}` → value, read by the prometheus_client package's text parser.
    static func parsePrometheus(_ text: String) throws -> [String: Double] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    samples[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
            print(json.dumps(samples))
            """
        let input = Pipe()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-c", script], stdin: input.fileHandleForReading)
        guard result.status == 0 else { throw ParseFailure(description: result.stderrText) }
        return try JSONDecoder().decode([String: Double].self, from: result.stdout)
    }

    struct ParseFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// An IPv4 address of this machine that is not loopback, if it has one.
    static func nonLoopbackIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                    NI_NUMERICHOST) == 0
            else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !Loopback.contains(host: text) { return text }
        }
        return nil
    }
}
