import Foundation
import NurtureCore

/// One email to send, before it is encoded: who, what, and the way out.
public struct MailMessage: Sendable, Hashable {
    /// The author; its address is also the SMTP envelope sender and its domain ends the Message-ID.
    public var from: Mailbox
    /// The one recipient; its address is also the SMTP envelope recipient.
    public var to: Mailbox
    /// Where replies go when that is not `from`.
    public var replyTo: Mailbox?
    /// The subject as the reader should see it; any Unicode, one line.
    public var subject: String
    /// The plain-text alternative, lines ending in `"\n"`.
    public var textBody: String
    /// The HTML alternative, lines ending in `"\n"`.
    public var htmlBody: String
    /// The one-click unsubscribe every campaign email carries (RFC 2369 and RFC 8058).
    public var listUnsubscribe: ListUnsubscribe?
    /// Headers the builder does not write itself, such as `X-Nurture-Campaign`; written after the standard ones.
    public var extraHeaders: [MailHeader]
    /// The `Date:` header's moment; nil for the builder's clock now. A step composed ahead of its instant
    /// carries the instant it goes out.
    public var date: Date?

    public init(
        from: Mailbox,
        to: Mailbox,
        replyTo: Mailbox? = nil,
        subject: String,
        textBody: String,
        htmlBody: String,
        listUnsubscribe: ListUnsubscribe? = nil,
        extraHeaders: [MailHeader] = [],
        date: Date? = nil
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.listUnsubscribe = listUnsubscribe
        self.extraHeaders = extraHeaders
        self.date = date
    }
}

/// An extra header field. Its value is unstructured text: non-ASCII is encoded and long values are folded.
public struct MailHeader: Sendable, Hashable {
    /// The field name, e.g. `X-Nurture-Campaign`: printable ASCII without `:`, at most 76 characters.
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A message ready for SMTP: the exact bytes, plus what the transport needs alongside them.
public struct EncodedMessage: Sendable, Hashable {
    /// The whole message, 7-bit ASCII, CRLF line endings, no line over 998 octets. Not dot-stuffed.
    public let bytes: [UInt8]
    /// The `Message-ID` header's value, angle brackets included: `<id@sender.domain>`.
    public let messageID: String
    /// The SMTP `MAIL FROM` address.
    public let envelopeFrom: EmailAddress
    /// The SMTP `RCPT TO` address.
    public let envelopeTo: EmailAddress

    /// The message as text, for `nurture preview` and logs; `bytes` are ASCII, so nothing is lost.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
