import Foundation
import NurtureCore
import Testing

@testable import NurtureMail

@Suite struct MessageBuilderTests {
    @Test func headersComeInTheDocumentedOrder() throws {
        var message = Fixture.message()
        message.replyTo = Fixture.mailbox("Sales", "sales@acme.example")
        message.extraHeaders = [MailHeader("X-Nurture-Campaign", "whitepaper-followup")]
        let built = try Fixture.builder().build(message)
        let head = built.text.components(separatedBy: "\r\n\r\n")[0]
        let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map {
            String($0.prefix { $0 != ":" })
        }
        #expect(
            names == [
                "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "MIME-Version", "List-Unsubscribe",
                "List-Unsubscribe-Post", "X-Nurture-Campaign", "Content-Type",
            ])
    }

    @Test func optionalHeadersAreLeftOutWhenNotSet() throws {
        var message = Fixture.message()
        message.listUnsubscribe = nil
        let built = try Fixture.builder().build(message)
        #expect(built.header("Reply-To") == nil)
        #expect(built.header("List-Unsubscribe") == nil)
        #expect(built.header("List-Unsubscribe-Post") == nil)
    }

    @Test func dateComesFromTheInjectedClockInUTC() throws {
        let clock = ManualClock(Fixture.moment)
        let builder = MessageBuilder(clock: clock, random: SeededRandomBytes(seed: 1))
        #expect(try builder.build(Fixture.message()).header("Date") == "Mon, 23 Nov 2026 14:35:18 +0000")
        clock.advance(by: 40 * 86_400 + 3_600)
        #expect(try builder.build(Fixture.message()).header("Date") == "Sat, 02 Jan 2027 15:35:18 +0000")
    }

    @Test func messageIDIsRandomAtTheSendersDomain() throws {
        let builder = MessageBuilder(clock: ManualClock(Fixture.moment))
        let first = try builder.build(Fixture.message())
        let second = try builder.build(Fixture.message())
        #expect(first.messageID.wholeMatch(of: /<[a-z2-7]{32}@acme\.example>/) != nil)
        #expect(first.header("Message-ID") == first.messageID)
        #expect(first.messageID != second.messageID)
    }

    @Test func everyMessageGetsAFreshBoundary() throws {
        let builder = MessageBuilder(clock: ManualClock(Fixture.moment))
        let boundaries = try (0..<5).map { _ in try builder.build(Fixture.message()).header("Content-Type") }
        #expect(Set(boundaries).count == 5)
        #expect(
            boundaries.allSatisfy { $0?.wholeMatch(of: /multipart\/alternative; boundary="=_[a-z2-7]{24}"/) != nil })
    }

    @Test func boundaryCannotBeFakedFromABody() throws {
        let builder = Fixture.builder()
        let boundary = try #require(
            try builder.build(Fixture.message()).header("Content-Type")?.split(separator: "\"")[1])
        let hostile = "--\(boundary)\nContent-Type: text/html\n\n<script>x</script>\n--\(boundary)--\n"
        let built = try builder.build(Fixture.message(textBody: hostile, htmlBody: hostile))
        let delimiterLines = built.lines.filter { $0.hasPrefix("--\(boundary)") }
        #expect(delimiterLines == ["--\(boundary)", "--\(boundary)", "--\(boundary)--"])
    }

    @Test func envelopeAddressesAreTheFromAndToAddresses() throws {
        var message = Fixture.message()
        message.replyTo = Fixture.mailbox("Sales", "sales@acme.example")
        let built = try Fixture.builder().build(message)
        #expect(built.envelopeFrom == Fixture.address("sam@acme.example"))
        #expect(built.envelopeTo == Fixture.address("dana@prospect.example"))
    }

    @Test func outputIsSevenBitWithCRLFLineEndingsOnly() throws {
        let message = Fixture.message(
            subject: "Olá ☕", textBody: "uno\ndos\r\ntres ☕\n", htmlBody: "<p>ação</p>\n")
        let bytes = try Fixture.builder().build(message).bytes
        #expect(bytes.allSatisfy { $0 < 0x80 })
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") { #expect(index > 0 && bytes[index - 1] == UInt8(ascii: "\r")) }
            if byte == UInt8(ascii: "\r") { #expect(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) }
        }
        #expect(bytes.suffix(2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    @Test func noLineExceeds998OctetsWithAHugeBodyLineAndA300CharacterNonASCIISubject() throws {
        let subject = String(repeating: "Çafé ☕ für Zoë — ", count: 20).prefix(300)
        let message = Fixture.message(
            subject: String(subject),
            textBody: String(repeating: "x", count: 5000),
            htmlBody: String(repeating: "ñ", count: 5000)
        )
        let built = try Fixture.builder().build(message)
        let head = built.text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(built.lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(built.lines.allSatisfy { $0.utf8.count <= QuotedPrintable.maximumLineLength || head.contains($0) })
        #expect(head.allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func bodiesAreQuotedPrintableTextThenHTML() throws {
        let built = try Fixture.builder().build(Fixture.message(textBody: "a = b\n", htmlBody: "<p>é</p>"))
        let text = built.text
        let plain = try #require(text.range(of: "Content-Type: text/plain; charset=utf-8\r\n"))
        let html = try #require(text.range(of: "Content-Type: text/html; charset=utf-8\r\n"))
        #expect(plain.lowerBound < html.lowerBound)
        #expect(text.components(separatedBy: "Content-Transfer-Encoding: quoted-printable\r\n\r\n").count == 3)
        #expect(text.contains("\r\n\r\na =3D b\r\n\r\n--"))
        #expect(text.contains("\r\n\r\n<p>=C3=A9</p>\r\n--"))
    }
}

/// The Date: header, worked out by arithmetic, agrees with Foundation's formatter everywhere.
struct DateHeaderTests {
    @Test func everyDayFrom1969To2100ReadsAsFoundationWritesIt() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var instant = -86_400.0 * 400 + 3_723.5
        while instant < 4_102_444_800 {
            let date = Date(timeIntervalSince1970: instant)
            #expect(MessageBuilder.formatDate(date) == formatter.string(from: date), "\(instant)")
            instant += 86_400 * 7 + 3_601
        }
    }
}
