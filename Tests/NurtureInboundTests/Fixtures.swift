import Foundation
import NurtureCore
import NurtureInbound

enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let names = [
        "apple-mail-reply", "exchange-ooo", "exim-bounce", "garbage", "gmail-reply", "missing-final-boundary",
        "nested-200", "ooo-auto-submitted", "outlook-reply", "postfix-delayed", "postfix-hard-bounce",
        "qmail-bounce", "reply-with-attachment",
    ]

    /// The fixture's bytes as stored (LF line endings), or with CRLF as they travel.
    static func bytes(_ name: String, crlf: Bool = false) -> [UInt8] {
        let url = folder.appendingPathComponent("\(name).eml")
        guard let data = try? Data(contentsOf: url) else { fatalError("missing fixture \(url.path)") }
        guard crlf else { return Array(data) }
        return Array(data).flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\r"), $0] : [$0] }
    }

    static func message(_ name: String, crlf: Bool = false) throws -> InboundMessage {
        try InboundMessage.parse(bytes(name, crlf: crlf))
    }

    static func parse(_ text: String) throws -> InboundMessage {
        try InboundMessage.parse(Array(text.utf8))
    }

    static func address(_ text: String) -> EmailAddress {
        do { return try EmailAddress(text) } catch { fatalError("fixture address \(text): \(error)") }
    }

    static func mailbox(_ name: String?, _ address: String) -> Mailbox {
        Mailbox(displayName: name, address: self.address(address))
    }
}
