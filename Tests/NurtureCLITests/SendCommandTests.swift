import Foundation
import NurtureTestSupport
import Testing

/// `nurture send` against a real aiosmtpd server on loopback, as a marketer would use it.
struct SendCommandTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n",
            "smtp-password": "s3cret-Pa55\n",
        ])
    }

    func send(_ arguments: [String], smtpURL: String, config: String = "nurture.yml") throws -> ChildProcess.Result {
        try NurtureProcess.run(
            ["send", "--config", "\(folder.path)/\(config)"] + arguments, environment: ["NURTURE_SMTP_URL": smtpURL])
    }

    @Test(
        "every sample step sends, and the server receives a message Python reads back",
        arguments: PreviewCommandTests.sampleSteps)
    func everySampleStepIsDelivered(campaign: String, step: String) throws {
        let server = try TestSMTPServer()
        let result = try send(
            [campaign, step, "--to", "me@acme.example", "--var", "first_name=Zoë", "--var", "phone=+1 555 0100"],
            smtpURL: "smtp://127.0.0.1:\(server.port)")
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.hasPrefix("250 "))
        #expect(result.stdoutText.contains("delivered to me@acme.example, Message-ID <"))
        let received = try server.messages()
        #expect(received.count == 1)
        #expect(received.first?.recipients == ["me@acme.example"])
        let parsed = try PythonEmailParser.parse(bytes: try server.messageBytes(1))
        #expect(parsed.defects == [])
        #expect(parsed.to.address == "me@acme.example")
        #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
        #expect(result.stdoutText.contains(parsed.messageId))
    }

    @Test func sendsOverSTARTTLSWithAuthFromAPasswordFile() throws {
        let server = try TestSMTPServer(["--require-starttls", "--auth", "mailer:s3cret-Pa55"], tls: true)
        let config = """
            campaigns: \(NurtureProcess.packageRoot.path)/campaigns
            state: ./var
            smtp:
              url: smtp://localhost:\(server.port)
              tls: required
              user: mailer
              password_file: smtp-password
              ca_file: \(server.certificate?.certificate ?? "")

            """
        try folder.write(config, to: "tls.yml")
        let result = try NurtureProcess.run(
            ["send", "--config", folder.path + "/tls.yml", "web-lead-followup", "value", "--to", "me@acme.example"])
        #expect(result.status == 0, "\(result.stderrText)")
        let received = try server.messages()
        #expect(received.first?.tls == true)
        #expect(received.first?.authenticated == true)
    }

    @Test func aRefusedRecipientExits1WithTheServersReply() throws {
        let server = try TestSMTPServer(["--refuse", "gone@example.com:550"])
        let result = try send(
            ["web-lead-followup", "value", "--to", "gone@example.com"], smtpURL: "smtp://127.0.0.1:\(server.port)")
        #expect(result.status == 1)
        #expect(result.stderrText.hasPrefix("nurture: error: refused for good: "))
        #expect(result.stderrText.contains("550"))
        #expect(try server.messages().isEmpty)
    }

    @Test func aServerThatIsDownIsATemporaryFailure() throws {
        let server = try TestSMTPServer()
        let port = server.port
        server.stop()
        let result = try send(
            ["web-lead-followup", "value", "--to", "me@acme.example"], smtpURL: "smtp://127.0.0.1:\(port)")
        #expect(result.status == 75)
        #expect(result.stderrText.hasPrefix("nurture: error: not sent, try again later: "))
        #expect(result.stderrText.filter { $0 == "\n" }.count == 1)
    }

    @Test func jsonOutputCarriesTheReply() throws {
        let server = try TestSMTPServer()
        let result = try send(
            ["web-lead-followup", "thanks", "--to", "me@acme.example", "--json"],
            smtpURL: "smtp://127.0.0.1:\(server.port)")
        #expect(result.status == 0, "\(result.stderrText)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(object["outcome"] as? String == "delivered")
        #expect(object["code"] as? Int == 250)
        #expect((object["message_id"] as? String)?.hasSuffix("@acme.example>") == true)
    }

    @Test func plainTextToARemoteHostIsRefusedBeforeConnecting() throws {
        try folder.write("smtp: { url: \"smtp://mail.acme.example:25\", tls: none }\n", to: "remote.yml")
        let result = try NurtureProcess.run(
            ["send", "--config", folder.path + "/remote.yml", "web-lead-followup", "value", "--to", "me@acme.example"])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("plain text"))
    }
}
