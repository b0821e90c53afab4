import NurtureCore
import NurtureSMTP
import NurtureTestSupport

/// Addresses, messages and settings shared by the tests.
enum Fixtures {
    static let sender = "dana@acme.example"
    static let recipient = "prospect@example.com"
    static let password = "s3cret-Pa55word!"

    static func address(_ text: String) throws -> EmailAddress {
        try EmailAddress(text)
    }

    /// The envelope most tests send with: `sender` to `recipient`.
    static func envelope() throws -> (from: EmailAddress, to: EmailAddress) {
        (try address(sender), try address(recipient))
    }

    /// A small RFC 5322 message with CRLF line ends.
    static func message(subject: String = "Hello", body: [String] = ["Hi there,", "", "Dana"]) -> [UInt8] {
        let lines = ["From: Dana <\(sender)>", "To: <\(recipient)>", "Subject: \(subject)", ""] + body
        return Array(lines.map { $0 + "\r\n" }.joined().utf8)
    }

    /// Plain text to the test server on 127.0.0.1, with timeouts short enough for a test.
    static func plainSettings(port: Int) -> SMTPSettings {
        SMTPSettings(
            url: "smtp://127.0.0.1:\(port)", tls: .none, ehloName: "nurture.test", connectTimeout: .seconds(2),
            responseTimeout: .seconds(5), transferTimeout: .seconds(20))
    }

    /// STARTTLS to the test server, trusting its certificate.
    static func tlsSettings(server: TestSMTPServer, user: String? = nil, password: String? = nil) -> SMTPSettings {
        var settings = plainSettings(port: server.port)
        settings.tls = .required
        settings.caFile = server.certificate?.certificate
        settings.user = user
        settings.password = password
        return settings
    }
}
