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
            HeaderField("Date", pieces: [Self.formatDate(clock.now())]),
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

        var text = fields.map(\.folded).joined() + "\r\n"
        for (type, body) in [("text/plain", message.textBody), ("text/html", message.htmlBody)] {
            text += "--\(boundary)\r\n"
            text += "Content-Type: \(type); charset=utf-8\r\n"
            text += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the body.
            text += QuotedPrintable.encode(body) + "\r\n"
        }
        text += "--\(boundary)--\r\n"

        return EncodedMessage(
            bytes: Array(text.utf8),
            messageID: messageID,
            envelopeFrom: message.from.address,
            envelopeTo: message.to.address
        )
    }

    /// RFC 5322 §3.3 date-time in UTC: `Mon, 23 Nov 2026 14:35:18 +0000`.
    /// RFC 5322 `Sat, 07 Nov 2026 14:00:00 +0000`, in UTC, worked out by arithmetic: a DateFormatter per message
    /// was an eighth of the engine's time per send.
    static func formatDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        // Days since 1970-01-01 to a Gregorian date (H. Hinnant's civil_from_days).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday; 0 is Sunday
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(Self.weekdays[weekday]), \(two(day)) \(Self.months[month - 1]) \(year) "
            + "\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}
