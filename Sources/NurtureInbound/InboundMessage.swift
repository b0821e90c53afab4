import Foundation
import NurtureCore

/// A message that came back to the reply mailbox, parsed: a reply, an auto-reply or a bounce.
///
/// Parsing never traps and stays linear in the input's size (times `InboundParseLimits.maximumDepth`), whatever
/// the bytes; what it had to work around is listed in `defects`.
public struct InboundMessage: Sendable, Hashable {
    /// The top header section.
    public let headers: InboundHeaders
    /// The MIME tree; its headers are `headers`.
    public let root: MessagePart
    /// What was wrong with the message and worked around, this message's enclosed messages included.
    public let defects: [ParseDefect]

    init(headers: InboundHeaders, root: MessagePart, defects: [ParseDefect]) {
        self.headers = headers
        self.root = root
        self.defects = defects
    }

    /// Parses a raw RFC 5322 message, as fetched over IMAP (`BODY.PEEK[]`). CRLF or LF line endings.
    ///
    /// Throws only when the bytes are empty, too large, or do not start with a header field; everything
    /// else is tolerated.
    public static func parse(_ bytes: [UInt8]) throws(InboundParseError) -> InboundMessage {
        try parse(bytes, limits: .default)
    }

    public static func parse(_ bytes: [UInt8], limits: InboundParseLimits) throws(InboundParseError) -> InboundMessage {
        guard bytes.contains(where: { !EncodedWordDecoder.isWhiteSpace($0) }) else { throw .empty }
        guard bytes.count <= limits.maximumMessageBytes else {
            throw .tooLarge(byteCount: bytes.count, limit: limits.maximumMessageBytes)
        }
        var parser = MIMEParser(limits: limits)
        let message = parser.message(bytes[...], depth: 0)
        guard !message.headers.fields.isEmpty else {
            let firstLine = bytes[Lines.line(in: bytes[...], from: 0).content].prefix(40)
            throw .notAMessage(firstLine: Charset.lossy(firstLine))
        }
        return message
    }

    // MARK: Header fields

    /// The first mailbox of `From`.
    public var from: Mailbox? { AddressListParser.mailboxes(headers.rawValue("From") ?? "").first }
    /// Every mailbox of every `Reply-To` field.
    public var replyTo: [Mailbox] { mailboxes("Reply-To") }
    /// Every mailbox of every `To` field.
    public var to: [Mailbox] { mailboxes("To") }
    /// Every mailbox of every `Cc` field.
    public var cc: [Mailbox] { mailboxes("Cc") }

    /// `<id@host>`, brackets included, as `EncodedMessage.messageID` has it.
    public var messageID: String? { MessageIDList.ids(headers.rawValue("Message-ID") ?? "").first }
    /// The ids of the messages this one answers: normally one, the message replied to.
    public var inReplyTo: [String] { MessageIDList.ids(headers.rawValue("In-Reply-To") ?? "") }
    /// The thread's ids, oldest first.
    public var references: [String] { MessageIDList.ids(headers.rawValue("References") ?? "") }

    /// The `Date` field; nil when missing or unreadable.
    public var date: Date? { headers.rawValue("Date").flatMap(MailDate.parse) }
    /// The `Subject` field, decoded, on one line.
    public var subject: String? { headers["Subject"] }

    private func mailboxes(_ name: String) -> [Mailbox] {
        headers.fields.filter { $0.key == name.lowercased() }.flatMap { AddressListParser.mailboxes($0.rawValue) }
    }
}
