/// Follows the SMTP conversation through libcurl's debug callback: which command we are at, and the server's
/// reply to it.
///
/// Only the first word of each outgoing line is looked at and nothing outgoing is kept, because AUTH lines carry
/// the credentials (base64 is not secrecy).
struct SMTPTranscript {
    /// The stage of the last command we sent; `.connect` until the first one.
    private(set) var stage: SMTPStage = .connect
    /// The server's reply to the last command (or its greeting), as far as it has arrived.
    private(set) var reply: SMTPReply?
    private var replyComplete = false
    private var replyLines: [String] = []
    // libcurl closes a connection with QUIT; the answer to that must not replace the reply that explains a failure.
    private var quitting = false

    /// Lines the server sent (CURLINFO_HEADER_IN); may hold one or several CRLF-ended lines.
    mutating func serverSent(_ bytes: some Collection<UInt8>) {
        for line in Self.lines(of: bytes) where !quitting {
            received(line)
        }
    }

    /// Lines we sent (CURLINFO_HEADER_OUT). Lines that are not commands (AUTH continuations) keep the stage.
    mutating func clientSent(_ bytes: some Collection<UInt8>) {
        let verb = String(
            decoding: bytes.prefix(while: { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }).prefix(8), as: UTF8.self
        )
        .uppercased()
        quitting = verb == "QUIT"
        if quitting { return }
        switch verb {
        case "EHLO", "HELO": stage = .hello
        case "STARTTLS": stage = .tls
        case "AUTH": stage = .auth
        case "MAIL": stage = .mailFrom
        case "RCPT": stage = .rcptTo
        case "DATA": stage = .data
        default: break
        }
        reply = nil
        replyLines = []
        replyComplete = false
    }

    private mutating func received(_ line: String) {
        let utf8 = Array(line.utf8)
        guard utf8.count >= 3, utf8.prefix(3).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(line.prefix(3))
        else { return }
        let isLastLine = utf8.count == 3 || utf8[3] != UInt8(ascii: "-")
        // A second reply without a command in between is the answer to the message body, after 354.
        if replyComplete { replyLines = [] }
        replyLines.append(utf8.count > 4 ? String(line.dropFirst(4)) : "")
        reply = SMTPReply(code: code, text: replyLines.joined(separator: " "))
        replyComplete = isLastLine
    }

    private static func lines(of bytes: some Collection<UInt8>) -> [String] {
        bytes.split(whereSeparator: { $0 == 0x0D || $0 == 0x0A }).map { String(decoding: $0, as: UTF8.self) }
    }
}
