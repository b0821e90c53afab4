import Foundation
import NurtureCore
import NurtureStore
import NurtureTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `nurture run` as systemd runs it: readiness, reload and stop through a notify socket, journald log lines.
struct DaemonServiceTests {
    static func campaign(subject: String) -> String {
        """
        id: hello
        from: dana@acme.example
        owner: dana@acme.example
        steps:
          - { id: hi, wait: 0, send_window: any, email: { subject: "\(subject)", body: hi.md } }

        """
    }

    @Test func readinessReloadAndStopReachSystemdAndABrokenReloadKeepsTheOldCampaigns() throws {
        let server = try TestSMTPServer()
        let folder = try TemporaryFolder([
            "nurture.yml": "campaigns: ./campaigns\nstate: ./var\n\(Daemon.anyPort)",
            "campaigns/hello.yml": Self.campaign(subject: "First"),
            "campaigns/hi.md": "Hello\n",
        ])
        let receiver = try NotifyReceiver()
        let config = ["--config", folder.path + "/nurture.yml"]
        let environment = [
            "NURTURE_SMTP_URL": "smtp://127.0.0.1:\(server.port)", "NOTIFY_SOCKET": receiver.path,
            "JOURNAL_STREAM": "8:1234",
        ]
        let daemon = try Daemon(config, in: folder, environment: environment)
        let ready = receiver.waitFor("READY=1")
        #expect(ready != nil, "\(daemon.output)")
        // Then the one-line summary, which may take a moment to count with millions pending.
        #expect(receiver.next(within: .seconds(5))?.hasPrefix("STATUS=") == true)

        // A good reload: the new subject is used for the next enrollment.
        _ = try folder.write(Self.campaign(subject: "Second"), to: "campaigns/hello.yml")
        kill(daemon.pid, SIGHUP)
        let reload = receiver.waitFor("READY=1")
        #expect(reload?.first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true, "\(reload ?? [])")

        // Pat enrolls now, due in three seconds, while the file is good.
        let soon = ISO8601DateFormatter().string(from: SystemClock().now().addingTimeInterval(3))
        let enrolled = try NurtureProcess.run(["enroll", "hello", "--email", "pat@example.com", "--at", soon] + config)
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")

        // A broken reload: refused, logged with its position, and the running set keeps sending.
        _ = try folder.write("id: hello\nsteps: [\n", to: "campaigns/hello.yml")
        kill(daemon.pid, SIGHUP)
        #expect(receiver.waitFor("READY=1") != nil)
        #expect(
            eventually(within: .seconds(5)) {
                daemon.output.contains("<3>reload refused, the running campaigns are unchanged: ")
            }, "\(daemon.output)")
        #expect(daemon.output.contains("campaigns/hello.yml:3:1: error:"), "\(daemon.output)")
        #expect(try eventually(within: .seconds(10)) { try server.messages().count == 1 }, "\(daemon.output)")
        let parsed = try PythonEmailParser.parse(bytes: try server.messageBytes(1))
        #expect(parsed.subject == "Second")

        #expect(daemon.terminate() == 0)
        #expect(receiver.waitFor("STOPPING=1", within: .seconds(2)) != nil)
        #expect(daemon.output.contains("<6>sent hello/hi (enrollment "))
        #expect(!daemon.output.contains("Z info "), "journald lines carry no timestamp")
    }
}

/// Stopping and reloading under load, on the real binary.
struct DaemonLifecycleTests {
    @Test func sigtermDuringABurstLosesNothingAndTheRestGoesOutAfterARestart() throws {
        // A slow relay keeps all four connections mid-transaction when SIGTERM arrives, with a batch far larger
        // than the connections waiting behind them. Ten domains, so the per-domain limit does not hold it back.
        let server = try TestSMTPServer(["--data-delay", "0.3"])
        let prospects = 120
        let csv = "email,first_name\n" + (1...prospects).map { "p\($0)@d\($0 % 10).example,P\($0)\n" }.joined()
        let folder = try TemporaryFolder([
            "nurture.yml": "campaigns: ./campaigns\nstate: ./var\nsmtp: { url: \"smtp://127.0.0.1:\(server.port)\" }\n"
                + Daemon.anyPort,
            "campaigns/hello.yml": APITests.campaign,
            "campaigns/hi.md": "Hello {{first_name}}\n",
            "prospects.csv": csv,
        ])
        let config = ["--config", folder.path + "/nurture.yml"]
        let imported = try NurtureProcess.run(["import", "hello", folder.path + "/prospects.csv"] + config)
        #expect(imported.status == 0, "\(imported.stderrText)")

        let receiver = try NotifyReceiver()
        let daemon = try Daemon(config, in: folder, environment: ["NOTIFY_SOCKET": receiver.path])
        let api = try DaemonAPI(folder: folder)
        #expect(try eventually(within: .seconds(20)) { try server.messages().count >= 8 }, "\(daemon.output)")

        // Mid-burst, the API still answers: the burst waits in a list, not on blocked threads (when it waited on
        // threads, this took as long as the whole burst). The bound is loose: the machine is shared.
        let asked = ContinuousClock.now
        #expect(try api.call("GET", "/healthz").status == 200)
        #expect(ContinuousClock.now - asked < .seconds(5), "the API waited \(ContinuousClock.now - asked)")

        let atSigterm = try server.messages().count
        kill(daemon.pid, SIGTERM)
        #expect(eventually(within: .seconds(1)) { daemon.output.contains("SIGTERM received") }, "\(daemon.output)")
        #expect(daemon.terminate() == 0, "\(daemon.output)")
        #expect(receiver.waitFor("STOPPING=1", within: .seconds(2)) != nil)
        let received = try server.messages().count
        #expect(received - atSigterm <= 4, "only the sends already talking to the server finished")
        #expect(received < prospects, "the burst was still going when SIGTERM came")

        // Every attempt has its outcome: nothing in flight, and exactly what the server took is recorded delivered.
        let store = try SQLiteStore(path: folder.path + "/var/nurture.sqlite")
        var delivered = 0
        for number in 1...prospects {
            let prospect = try #require(try store.prospect(email: EmailAddress("p\(number)@d\(number % 10).example")))
            let attempts = try store.deliveries(prospectID: prospect.id)
            #expect(attempts.allSatisfy { $0.outcome == .delivered }, "\(attempts)")
            delivered += attempts.count
        }
        #expect(delivered == received)
        #expect(try store.summary(now: SystemClock().now()).uncertainDeliveries == 0)
        let sentLines = daemon.output.split(separator: "\n").filter { $0.contains("sent hello/hi (enrollment ") }
        #expect(sentLines.count == received, "one log line per send")

        // The rest leave after a restart, each prospect exactly once.
        let restarted = try Daemon(config, in: folder, environment: [:])
        #expect(
            try eventually(within: .seconds(60)) { try server.messages().count == prospects }, "\(restarted.output)")
        #expect(restarted.terminate() == 0)
        let recipients = try server.messages().flatMap { $0.recipients ?? [] }
        #expect(Set(recipients).count == prospects)
        #expect(recipients.count == prospects)
    }

    @Test func aDaemonKilledOutrightLeavesNothingThatMisleadsTheCLI() throws {
        let folder = try TemporaryFolder([
            "nurture.yml": "campaigns: ./campaigns\nstate: ./var\n" + Daemon.anyPort,
            "campaigns/hello.yml": APITests.campaign,
            "campaigns/hi.md": "Hello\n",
        ])
        let config = ["--config", folder.path + "/nurture.yml"]
        let daemon = try Daemon(config, in: folder, environment: [:])
        _ = try DaemonAPI(folder: folder)
        kill(daemon.pid, SIGKILL)
        #expect(daemon.terminate() == SIGKILL, "killed by the signal")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/var/api.address"), "left behind by SIGKILL")
        let enrolled = try NurtureProcess.run(["enroll", "hello", "--email", "a@example.com"] + config)
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")
        #expect(enrolled.stderrText.isEmpty, "no daemon holds the lock: the old address is not even looked at")

        // A new daemon removes the old address before anything else, and writes its own once it listens.
        let receiver = try NotifyReceiver()
        let again = try Daemon(config, in: folder, environment: ["NOTIFY_SOCKET": receiver.path])
        #expect(receiver.waitFor("READY=1") != nil)
        let api = try DaemonAPI(folder: folder)
        #expect(try api.call("GET", "/healthz").status == 200)
        #expect(again.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/var/api.address"), "removed on a clean stop")
    }

    @Test func sighupReloadsNurtureYmlItselfAndABrokenOneChangesNothing() throws {
        let first = try TestSMTPServer()
        let second = try TestSMTPServer()
        func configuration(port: Int) -> String {
            "campaigns: ./campaigns\nstate: ./var\nsmtp: { url: \"smtp://127.0.0.1:\(port)\" }\n" + Daemon.anyPort
        }
        let folder = try TemporaryFolder([
            "nurture.yml": configuration(port: first.port),
            "campaigns/hello.yml": APITests.campaign,
            "campaigns/hi.md": "Hello {{first_name}}\n",
        ])
        let config = ["--config", folder.path + "/nurture.yml"]
        let receiver = try NotifyReceiver()
        let daemon = try Daemon(config, in: folder, environment: ["NOTIFY_SOCKET": receiver.path])
        #expect(receiver.waitFor("READY=1") != nil, "\(daemon.output)")
        #expect(try NurtureProcess.run(["enroll", "hello", "--email", "a@example.com"] + config).status == 0)
        #expect(try eventually(within: .seconds(5)) { try first.messages().count == 1 })

        // A new relay in nurture.yml: the next send goes there.
        try folder.write(configuration(port: second.port), to: "nurture.yml")
        kill(daemon.pid, SIGHUP)
        #expect(receiver.waitFor("READY=1") != nil)
        #expect(try NurtureProcess.run(["enroll", "hello", "--email", "b@example.com"] + config).status == 0)
        #expect(try eventually(within: .seconds(5)) { try second.messages().count == 1 }, "\(daemon.output)")

        // A broken nurture.yml: refused with its position, shown by `nurture status`, and sends go on as before.
        try folder.write("smtp: { url: \"smtp://127.0.0.1:\(first.port)\", tls: maybe }\n", to: "nurture.yml")
        kill(daemon.pid, SIGHUP)
        #expect(receiver.waitFor("READY=1") != nil)
        let status = try NurtureProcess.run(["status", "--config", folder.path + "/nurture.yml"])
        // The broken file cannot be read by `status` either, so ask the daemon directly.
        #expect(status.status == 1)
        let api = try DaemonAPI(folder: folder)
        let daemonStatus = try #require(api.call("GET", "/v1/status").json["daemon"] as? [String: Any])
        #expect((daemonStatus["reload_error"] as? String)?.contains("nurture.yml:1:") == true, "\(daemonStatus)")
        #expect(daemon.output.contains("reload refused, the running campaigns are unchanged: "))
        #expect(
            try api.call("POST", "/v1/enrollments", json: #"{"campaign":"hello","email":"c@example.com"}"#).status
                == 201)
        #expect(try eventually(within: .seconds(5)) { try second.messages().count == 2 }, "\(daemon.output)")
        #expect(daemon.terminate() == 0)
    }
}
