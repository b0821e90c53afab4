/// Quoted-printable (RFC 2045 §6.7) for the text parts: 7-bit safe, readable where the text is ASCII.
enum QuotedPrintable {
    /// RFC 2045 §6.7(5): encoded lines are at most 76 characters, the `=` of a soft line break included.
    static let maximumLineLength = 76

    /// Encodes `text`, whose lines end in `"\n"` or `"\r\n"`; the result's lines end in CRLF.
    ///
    /// A final line break is kept as a final CRLF, so the part decodes to the text with CRLF line endings,
    /// nothing added. A CR that does not start a CRLF is data, and is encoded as `=0D`.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        for (index, line) in text.utf8.split(separator: lineFeed, omittingEmptySubsequences: false).enumerated() {
            if index > 0 { output += [carriageReturn, lineFeed] }
            encodeLine(line.last == carriageReturn ? Array(line.dropLast()) : Array(line), into: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func encodeLine(_ line: [UInt8], into output: inout [UInt8]) {
        var lineLength = 0
        var index = 0
        while index < line.count {
            // A character's bytes stay on one line: legal either way, but kinder to readers that decode per line.
            let end = min(index + sequenceLength(leadByte: line[index]), line.count)
            let isLast = end == line.count
            var token = line[index..<end].flatMap { encoded($0, atEndOfLine: isLast) }
            // Leave room for the `=` of a soft break unless nothing follows on this line.
            if lineLength + token.count > maximumLineLength - (isLast ? 0 : 1) {
                output += [equalsSign, carriageReturn, lineFeed]
                lineLength = 0
            }
            if lineLength == 0, startsFragileLine(line, at: index) {
                token = escaped(line[index])
            }
            output += token
            lineLength += token.count
            index = end
        }
    }

    private static func sequenceLength(leadByte: UInt8) -> Int {
        switch leadByte {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }

    private static func encoded(_ byte: UInt8, atEndOfLine: Bool) -> [UInt8] {
        if (0x21...0x7E).contains(byte) && byte != equalsSign { return [byte] }
        // RFC 2045 §6.7(3): white space ending a line may be stripped in transit, so it is encoded there only.
        if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !atEndOfLine { return [byte] }
        return escaped(byte)
    }

    /// A `.` opening a line is the end-of-data mark to an SMTP server if a transport forgets to dot-stuff, and
    /// `From ` opening a line gets rewritten to `>From ` by mbox tools; encoding the first character avoids both.
    private static func startsFragileLine(_ line: [UInt8], at index: Int) -> Bool {
        line[index] == UInt8(ascii: ".") || line[index...].starts(with: "From ".utf8)
    }

    private static func escaped(_ byte: UInt8) -> [UInt8] {
        [equalsSign] + Hex.uppercase(byte)
    }

    private static let equalsSign = UInt8(ascii: "=")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
}
