import Foundation
import NurtureCore

/// Encodes a `MailMessage` as an RFC 5322 message: `multipart/alternative`, text then HTML, quoted-printable.
public struct MessageBuilder: Sendable {
    private let clock: any WallClock
    private let random: any RandomBytesSource

    /// 160 bits: a Message-ID that will not collide with any other, and 32 base32 characters with no padding.
    static let messageIDBytes = 20
    /// 120 bits: a boundary no one can guess into a body, 24 base32 characters.
    static let boundaryBytes = 15

    /// - Parameters:
    ///   - clock: where the `Date` header comes from, so a virtual clock shows in the message.
    ///   - random: where Message-IDs and boundaries come from; pass a fixed source for repeatable output.
    public init(clock: any WallClock, random: any RandomBytesSource = SystemRandomBytes()) {
        self.clock = clock
        self.random = random
    }

    /// The bytes to hand to SMTP, or an error naming the field that cannot be sent as it is.
    ///
    /// Refuses any CR, LF or NUL in a header value, so no prospect-supplied text can add headers.
    public func build(_ message: MailMessage) throws(MessageError) -> EncodedMessage {
        try MessageValidation.check(message)
        let messageID = "<\(random.base32Token(byteCount: Self.messageIDBytes))@\(message.from.address.domain)>"
        // Quoted-printable output never holds `=_`: every `=` it writes is followed by a hex digit or a line
        // break. So a boundary starting `=_` cannot occur in a body, whatever the body says.
        let boundary = "=_" + random.base32Token(byteCount: Self.boundaryBytes)

        var fields = [
            HeaderField("Date", pieces: [Self.formatDate(message.date ?? clock.now())]),
            HeaderEncoding.mailbox("From", message.from),
            HeaderEncoding.mailbox("To", message.to),
        ]
        if let replyTo = message.replyTo { fields.append(HeaderEncoding.mailbox("Reply-To", replyTo)) }
        fields += [
            HeaderEncoding.unstructured("Subject", message.subject),
            HeaderField("Message-ID", pieces: [messageID]),
            HeaderField("MIME-Version", pieces: ["1.0"]),
        ]
        if let listUnsubscribe = message.listUnsubscribe { fields += listUnsubscribe.headerFields }
        fields += message.extraHeaders.map { HeaderEncoding.unstructured($0.name, $0.value) }
        fields.append(HeaderField("Content-Type", pieces: ["multipart/alternative;", " boundary=\"\(boundary)\""]))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024 + (message.textBody.utf8.count + message.htmlBody.utf8.count) * 9 / 8)
        for field in fields { bytes += field.folded.utf8 }
        bytes += "\r\n".utf8
        for (type, body) in [("text/plain", message.textBody), ("text/html", message.htmlBody)] {
            bytes += "--\(boundary)\r\n".utf8
            bytes += "Content-Type: \(type); charset=utf-8\r\n".utf8
            bytes += "Content-Transfer-Encoding: quoted-printable\r\n\r\n".utf8
            QuotedPrintable.append(body, to: &bytes)
            // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the body.
            bytes += "\r\n".utf8
        }
        bytes += "--\(boundary)--\r\n".utf8

        return EncodedMessage(
            bytes: bytes,
            messageID: messageID,
            envelopeFrom: message.from.address,
            envelopeTo: message.to.address
        )
    }

    /// RFC 5322 `Sat, 07 Nov 2026 14:00:00 +0000`, in UTC.
    static func formatDate(_ date: Date) -> String {
        let time = CivilTime(date)
        func two(_ value: Int) -> String { CivilTime.digits(value, 2) }
        return "\(Self.weekdays[time.weekday]), \(two(time.day)) \(Self.months[time.month - 1]) \(time.year) "
            + "\(two(time.hour)):\(two(time.minute)):\(two(time.second)) +0000"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
