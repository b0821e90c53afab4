import Foundation
import NurtureTestSupport
import Testing

/// The daemon reading a real reply mailbox (dovecot on loopback): replies, auto-replies and bounces of our own
/// making, dropped into the folder as a delivery agent would.
struct InboxTests {
    let smtp: TestSMTPServer
    let imap: TestIMAPServer
    let folder: TemporaryFolder
    var config: [String] { ["--config", folder.path + "/nurture.yml"] }

    init() throws {
        smtp = try TestSMTPServer()
        imap = try TestIMAPServer(.plain)
        folder = try TemporaryFolder([
            "nurture.yml": """
            campaigns: ./campaigns
            state: ./var
            smtp: { url: "smtp://127.0.0.1:\(smtp.port)" }
            inbox:
              url: \(imap.url())
              tls: none
              user: \(TestIMAPServer.user)
              password_file: imap-password
              poll_interval: 1s
            \(Daemon.anyPort)
            """,
            "imap-password": TestIMAPServer.password + "\n",
            "campaigns/hello.yml": LinkTests.campaign,
            "campaigns/hi.md": "Hello\n",
        ])
    }

    /// Starts the daemon and enrolls each address; returns once each got the first email, with its Message-ID.
    func start(enrolling emails: [String]) throws -> (Daemon, DaemonAPI, [String: String]) {
        let daemon = try Daemon(config, in: folder, environment: [:])
        let api = try DaemonAPI(folder: folder)
        // The first look at the folder marks where "new" starts; mail delivered before it is history.
        #expect(eventually(within: .seconds(10)) { daemon.output.contains("reading new mail from now on") })
        for email in emails {
            #expect(
                try api.call("POST", "/v1/enrollments", json: #"{"campaign":"hello","email":"\#(email)"}"#).status
                    == 201)
        }
        #expect(try eventually(within: .seconds(10)) { try smtp.messages().count == emails.count }, "\(daemon.output)")
        var ids: [String: String] = [:]
        for number in 1...emails.count {
            let parsed = try PythonEmailParser.parse(bytes: try smtp.messageBytes(number))
            ids[parsed.to.address] = parsed.messageId
        }
        return (daemon, api, ids)
    }

    func status(of email: String, _ api: DaemonAPI) throws -> (enrollment: String?, events: [String]) {
        let timeline = try api.call("GET", "/v1/prospects/\(email)/timeline").json
        let enrollment = (timeline["enrollments"] as? [[String: Any]])?.first?["status"] as? String
        let events = (timeline["history"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
        return (enrollment, events)
    }

    static func reply(to id: String, from: String, extra: String = "", body: String = "Sounds good, call me.") -> String
    {
        """
        From: \(from)
        To: dana@acme.example
        Subject: Re: Hello
        Message-ID: <\(UUID().uuidString)@example.com>
        In-Reply-To: \(id)
        References: \(id)
        \(extra)Content-Type: text/plain; charset=utf-8

        \(body)

        """
    }

    @Test func aReplyStopsTheSequenceAndTellsTheOwnerAnOutOfOfficeDoesNot() throws {
        let (daemon, api, ids) = try start(enrolling: ["pat@example.com", "sam@example.com"])
        try imap.deliver(Self.reply(to: try #require(ids["pat@example.com"]), from: "Pat <pat@example.com>"))
        try imap.deliver(
            Self.reply(
                to: try #require(ids["sam@example.com"]), from: "sam@example.com",
                extra: "Auto-Submitted: auto-replied\n", body: "I am out of the office until Monday."))

        #expect(
            try eventually(within: .seconds(10)) { try status(of: "pat@example.com", api).enrollment == "stopped" },
            "\(daemon.output)")
        #expect(try status(of: "pat@example.com", api).events.contains("reply"))
        #expect(
            try eventually(within: .seconds(10)) {
                try status(of: "sam@example.com", api).events.contains("auto_reply")
            })
        #expect(try status(of: "sam@example.com", api).enrollment == "active", "an out-of-office does not end it")

        // The owner hears of the reply, with what Pat wrote.
        #expect(
            try eventually(within: .seconds(10)) {
                try smtp.messages().contains { $0.recipients == ["owner@acme.example"] }
            }, "\(daemon.output)")
        let alert = try #require(try smtp.messages().firstIndex { $0.recipients == ["owner@acme.example"] })
        let parsed = try PythonEmailParser.parse(bytes: try smtp.messageBytes(alert + 1))
        #expect(parsed.subject == "Nurture: pat@example.com replied to step 1 (`hi`) of hello")
        #expect(parsed.parts.first?.content.contains("Sounds good, call me.") == true)
        #expect(try imap.flags().values.allSatisfy { !$0.contains("\\Seen") }, "the mailbox was only read")
        #expect(daemon.terminate() == 0)
    }

    @Test func aHardBounceReportSuppressesTheAddress() throws {
        let (daemon, api, ids) = try start(enrolling: ["gone@example.com"])
        try imap.deliver(
            """
            From: MAILER-DAEMON@mx.example.com
            To: dana@acme.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <dsn-1@mx.example.com>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: text/plain

            Your message could not be delivered.
            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com

            Final-Recipient: rfc822; gone@example.com
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: user unknown

            --B
            Content-Type: text/rfc822-headers

            Message-ID: \(try #require(ids["gone@example.com"]))
            To: gone@example.com

            --B--

            """)
        #expect(
            try eventually(within: .seconds(10)) { try api.call("GET", "/v1/status").json["suppressed"] as? Int == 1 },
            "\(daemon.output)")
        #expect(try status(of: "gone@example.com", api).enrollment == "stopped")
        #expect(daemon.terminate() == 0)
    }

    @Test func mailAlreadyInTheFolderWhenNurtureFirstLooksIsLeftAlone() throws {
        let enrolled = try NurtureProcess.run(["enroll", "hello", "--email", "pat@example.com"] + config)
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")
        try imap.deliver(
            "From: pat@example.com\nSubject: old thread\nMessage-ID: <old@example.com>\n\nFrom last year.\n")
        let daemon = try Daemon(config, in: folder, environment: [:])
        let api = try DaemonAPI(folder: folder)
        #expect(eventually(within: .seconds(10)) { daemon.output.contains("reading new mail from now on") })
        try imap.deliver("From: marker@example.com\nSubject: unsubscribe\nMessage-ID: <marker@example.com>\n\n")
        #expect(
            try eventually(within: .seconds(10)) { try api.call("GET", "/v1/status").json["suppressed"] as? Int == 1 },
            "\(daemon.output)")
        let pat = try status(of: "pat@example.com", api)
        #expect(!pat.events.contains("reply"), "last year's mail is not a reply to this campaign")
        #expect(pat.enrollment == "active")
        #expect(daemon.terminate() == 0)
    }

    @Test func theSameMailboxReadAgainAfterARestartProcessesNothingTwice() throws {
        let (daemon, api, ids) = try start(enrolling: ["pat@example.com"])
        try imap.deliver(Self.reply(to: try #require(ids["pat@example.com"]), from: "pat@example.com"))
        #expect(
            try eventually(within: .seconds(10)) { try status(of: "pat@example.com", api).events.contains("reply") })
        #expect(daemon.terminate() == 0)

        // Enrolled again, then the daemon restarts and reads the same folder: the old reply is not seen anew.
        let enrolled = try NurtureProcess.run(["enroll", "hello", "--email", "pat@example.com"] + config)
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")
        let receiver = try NotifyReceiver()
        let again = try Daemon(config, in: folder, environment: ["NOTIFY_SOCKET": receiver.path])
        #expect(receiver.waitFor("READY=1") != nil)
        let api2 = try DaemonAPI(folder: folder)
        // A newer message, read after the old one would be: once it is handled, the old one was passed over.
        try imap.deliver("From: marker@example.com\nSubject: unsubscribe\nMessage-ID: <marker@example.com>\n\n")
        #expect(
            try eventually(within: .seconds(10)) {
                try api2.call("GET", "/v1/status").json["suppressed"] as? Int == 1
            }, "\(again.output)")
        let now = try status(of: "pat@example.com", api2)
        #expect(now.events.filter { $0 == "reply" }.count == 1, "\(now.events)")
        #expect(now.enrollment != nil)
        let enrollments =
            try api2.call("GET", "/v1/prospects/pat@example.com/timeline").json["enrollments"] as? [[String: Any]]
        #expect(enrollments?.contains { $0["status"] as? String == "active" } == true, "\(again.output)")
        #expect(again.terminate() == 0)
    }
}
