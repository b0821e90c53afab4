import Foundation
import FuzzCheck
import NurtureCore
import NurtureInbound

@testable import NurtureMail

/// A message built from values a prospect or a campaign file could hold: display names, a subject, bodies, an
/// unsubscribe URL and extra headers with any name and value. The builder may refuse; what it builds must be
/// 7-bit, CRLF-only, no line over 998 octets, with exactly the header fields it was asked for: no value can
/// break out of its field to add one, however it is encoded or folded.
///
/// The input is cut at 0xFF bytes (never UTF-8) into: from, to, reply-to, subject, text body, HTML body,
/// unsubscribe URL, then name and value of each extra header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let pieces = FuzzCheck.pieces(data, size)
    func piece(_ index: Int) -> String { index < pieces.count ? pieces[index] : "" }

    var message = MailMessage(
        from: mailbox(piece(0), fallback: "dana@acme.example"),
        to: mailbox(piece(1), fallback: "ann@example.com"),
        replyTo: piece(2).isEmpty ? nil : mailbox(piece(2), fallback: "sales@acme.example"),
        subject: piece(3), textBody: piece(4), htmlBody: piece(5),
        date: Date(timeIntervalSince1970: 1_795_444_518))
    if !piece(6).isEmpty, let mailto = try? EmailAddress("unsubscribe@acme.example") {
        message.listUnsubscribe = ListUnsubscribe(url: piece(6), mailto: mailto)
    }
    var index = 7
    while index < pieces.count {
        message.extraHeaders.append(MailHeader(piece(index), piece(index + 1)))
        index += 2
    }

    let built: EncodedMessage
    do {
        built = try MessageBuilder(clock: SystemClock(), random: SystemRandomBytes()).build(message)
    } catch {
        _ = error.description
        return 0
    }
    check(built, of: message)
    return 0
}

/// `text` as a mailbox when it reads as one, else `text` as the display name of `fallback`.
private func mailbox(_ text: String, fallback: String) -> Mailbox {
    if let parsed = try? Mailbox(text) { return parsed }
    return Mailbox(displayName: text, address: try! EmailAddress(fallback))
}

private func check(_ built: EncodedMessage, of message: MailMessage) {
    let bytes = built.bytes
    check(bytes.allSatisfy { $0 > 0 && $0 < 0x80 }, "a byte outside 7-bit ASCII, or a NUL")
    var lineLength = 0
    for (offset, byte) in bytes.enumerated() {
        switch byte {
        case 0x0D:
            check(offset + 1 < bytes.count && bytes[offset + 1] == 0x0A, "a CR without LF at \(offset)")
        case 0x0A:
            check(offset > 0 && bytes[offset - 1] == 0x0D, "an LF without CR at \(offset)")
            lineLength = 0
            continue
        default:
            break
        }
        lineLength += 1
        check(lineLength <= 998 + 1, "a line over 998 octets ending at \(offset)")
    }

    var expected = ["Date", "From", "To"] + (message.replyTo == nil ? [] : ["Reply-To"])
    expected += ["Subject", "Message-ID", "MIME-Version"]
    if message.listUnsubscribe != nil { expected += ["List-Unsubscribe", "List-Unsubscribe-Post"] }
    expected += message.extraHeaders.map(\.name) + ["Content-Type"]

    let text = built.text
    guard let end = text.range(of: "\r\n\r\n") else { fatalError("no end to the header section") }
    let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
    check(!(lines.first?.hasPrefix(" ") ?? true), "the header section starts with a continuation line")
    let names = lines.filter { !$0.hasPrefix(" ") && !$0.hasPrefix("\t") }.map { String($0.prefix { $0 != ":" }) }
    check(names == expected, "header fields \(names), asked for \(expected)")
    check(!lines.contains { $0.allSatisfy { $0 == " " || $0 == "\t" } }, "a blank continuation line")

    // An independent reading, by the parser replies go through: the same fields, and the subject as written.
    guard let parsed = try? InboundMessage.parse(bytes) else { fatalError("the built message does not parse") }
    check(parsed.headers.fields.map(\.name) == expected, "parsed as \(parsed.headers.fields.map(\.name))")
    let subject = message.subject
    if subject.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        let read = parsed.subject ?? ""
        check(
            collapsed(read) == collapsed(subject),
            "subject \(subject.debugDescription) read as \(read.debugDescription)")
    }
}

private func collapsed(_ text: String) -> String {
    text.split(separator: " ").joined(separator: " ")
}
