import Foundation
import NurtureCore
import Testing

@testable import NurtureMail

/// Repeatable "random" bytes: a function of the seed and how many bytes are asked for.
struct SeededRandomBytes: RandomBytesSource {
    var seed: UInt8

    func randomBytes(count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &* 31 &+ count &* 7 &+ $0 &* 13) }
    }
}

enum Fixture {
    /// Monday 23 November 2026, 14:35:18 UTC.
    static let moment = Date(timeIntervalSince1970: 1_795_444_518)

    static func builder(seed: UInt8 = 1) -> MessageBuilder {
        MessageBuilder(clock: ManualClock(moment), random: SeededRandomBytes(seed: seed))
    }

    static func address(_ text: String) -> EmailAddress {
        do { return try EmailAddress(text) } catch { fatalError("fixture address \(text): \(error)") }
    }

    static func mailbox(_ name: String?, _ address: String) -> Mailbox {
        Mailbox(displayName: name, address: self.address(address))
    }

    static let unsubscribe = ListUnsubscribe(
        url: "https://go.acme.example/u/dGVzdC10b2tlbg", mailto: address("unsubscribe@acme.example"))

    /// An ordinary campaign email, every field set; tests change the one field they are about.
    static func message(
        subject: String = "Dana, here is the guide you asked for",
        textBody: String = "Hi Dana,\n\nThe guide is attached.\n",
        htmlBody: String = "<p>Hi Dana,</p>\n<p>The guide is attached.</p>\n"
    ) -> MailMessage {
        MailMessage(
            from: mailbox("Sam Ortiz", "sam@acme.example"),
            to: mailbox("Dana Reyes", "dana@prospect.example"),
            subject: subject,
            textBody: textBody,
            htmlBody: htmlBody,
            listUnsubscribe: unsubscribe
        )
    }

    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
}

extension EncodedMessage {
    /// The message's lines without their CRLF.
    var lines: [String] { text.components(separatedBy: "\r\n") }

    /// The unfolded value of the first header named `name`.
    func header(_ name: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        let prefix = name.lowercased() + ":"
        return head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }
}
