import NurtureCore
import NurtureIMAP
import NurtureTestSupport

/// Messages and settings shared by the tests.
enum IMAPFixtures {
    /// A small reply with CRLF line ends and a Message-ID of its own.
    static func reply(_ number: Int, body: String = "Yes, let's talk on Tuesday.") -> [UInt8] {
        let lines = [
            "From: Pat Prospect <pat@example.com>", "To: Dana <dana@acme.example>", "Subject: Re: the guide #\(number)",
            "Message-ID: <reply-\(number)@example.com>", "Date: Mon, 2 Mar 2026 10:00:00 +0000", "", body,
        ]
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Settings for `server`, with timeouts short enough for a test.
    static func settings(_ server: TestIMAPServer, folder: String = "INBOX", password: String = TestIMAPServer.password)
        -> IMAPSettings
    {
        IMAPSettings(
            url: server.url(folder: folder), tls: server.security == .plain ? .none : .required,
            user: TestIMAPServer.user, password: password, caFile: server.certificate?.certificate,
            connectTimeout: .seconds(5), responseTimeout: .seconds(10))
    }

    static func mailbox(_ server: TestIMAPServer, folder: String = "INBOX") throws -> CurlIMAPMailbox {
        try CurlIMAPMailbox(settings: settings(server, folder: folder))
    }

    /// The error `body` throws, which must be an `IMAPError`.
    static func imapError(_ body: () throws(IMAPError) -> MailboxBatch) -> IMAPError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}
