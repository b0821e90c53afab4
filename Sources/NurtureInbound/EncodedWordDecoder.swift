/// Decodes RFC 2047 encoded words (`=?utf-8?q?Jos=C3=A9?=`) in unstructured header text and display names.
///
/// Lenient where senders are sloppy: words glued to other text are decoded, white space between two encoded
/// words is dropped (RFC 2047 §6.2), and adjacent words in one charset are joined before decoding, so a UTF-8
/// sequence split across two words (common in long base64 subjects) comes out whole. Linear time: the end of
/// each candidate word is found through precomputed "next `?`" and "next white space" positions, so a run of
/// `=?=?=?` never makes the scan go back over the text.
enum EncodedWordDecoder {
    static func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, text.contains("=?") else { return text }
        let nextQuestionMark = nextPositions(in: bytes) { $0 == UInt8(ascii: "?") }
        let nextWhiteSpace = nextPositions(in: bytes) { isWhiteSpace($0) }

        var output = ""
        var literalStart = 0
        var pending: (charset: String, bytes: [UInt8])?
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?"),
                let word = word(at: index, in: bytes, nextQuestionMark, nextWhiteSpace)
            else {
                index += 1
                continue
            }
            let gap = bytes[literalStart..<index]
            // White space between two encoded words is folding, not text (RFC 2047 §6.2).
            if pending == nil || !gap.allSatisfy(isWhiteSpace) {
                flush(&pending, into: &output)
                output += String(decoding: gap, as: UTF8.self)
            }
            if let charset = pending?.charset, Charset.normalizedName(charset) == Charset.normalizedName(word.charset) {
                // Appended in place: a copy per word would make a long run of words quadratic.
                pending?.bytes.append(contentsOf: word.bytes)
            } else {
                flush(&pending, into: &output)
                pending = (word.charset, word.bytes)
            }
            index = word.end
            literalStart = word.end
        }
        flush(&pending, into: &output)
        output += String(decoding: bytes[literalStart...], as: UTF8.self)
        return output
    }

    private static func flush(_ pending: inout (charset: String, bytes: [UInt8])?, into output: inout String) {
        guard let word = pending else { return }
        output += Charset.decode(word.bytes, charset: word.charset)
        pending = nil
    }

    /// The encoded word starting at `start` (which holds `=?`): its charset, decoded bytes and end.
    private static func word(
        at start: Int, in bytes: [UInt8], _ nextQuestionMark: [Int], _ nextWhiteSpace: [Int]
    ) -> (charset: String, bytes: [UInt8], end: Int)? {
        let charsetStart = start + 2
        guard charsetStart < bytes.count else { return nil }
        let charsetEnd = nextQuestionMark[charsetStart]
        guard charsetEnd > charsetStart, charsetEnd - charsetStart <= 64, nextWhiteSpace[charsetStart] > charsetEnd,
            charsetEnd + 2 < bytes.count, bytes[charsetEnd + 2] == UInt8(ascii: "?")
        else { return nil }
        let textStart = charsetEnd + 3
        guard textStart < bytes.count else { return nil }
        let textEnd = nextQuestionMark[textStart]
        guard textEnd + 1 < bytes.count, bytes[textEnd + 1] == UInt8(ascii: "="), nextWhiteSpace[textStart] > textEnd
        else { return nil }
        let charset = String(decoding: bytes[charsetStart..<charsetEnd], as: UTF8.self)
        let encoded = bytes[textStart..<textEnd]
        let decoded: [UInt8]
        switch bytes[charsetEnd + 1] {
        case UInt8(ascii: "b"), UInt8(ascii: "B"): decoded = TransferDecoding.base64(encoded)
        case UInt8(ascii: "q"), UInt8(ascii: "Q"):
            decoded = TransferDecoding.quotedPrintable(encoded, underscoreIsSpace: true)
        default: return nil
        }
        return (charset, decoded, textEnd + 2)
    }

    /// For each position, the first position at or after it whose byte matches, or `bytes.count`.
    private static func nextPositions(in bytes: [UInt8], where matches: (UInt8) -> Bool) -> [Int] {
        var positions = [Int](repeating: bytes.count, count: bytes.count + 1)
        var next = bytes.count
        for index in bytes.indices.reversed() {
            if matches(bytes[index]) { next = index }
            positions[index] = next
        }
        return positions
    }

    static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }
}
