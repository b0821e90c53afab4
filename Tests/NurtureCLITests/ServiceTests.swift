import Foundation
import NurtureCore
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
        #expect(ready?.last?.contains("STATUS=") == true)

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
        #expect(eventually(within: .seconds(5)) { daemon.output.contains("<3>reload refused, the running campaigns are unchanged: ") }, "\(daemon.output)")
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
