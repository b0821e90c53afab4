/// Quoted-printable (RFC 2045 §6.7) for the text parts: 7-bit safe, readable where the text is ASCII.
enum QuotedPrintable {
    /// RFC 2045 §6.7(5): encoded lines are at most 76 characters, the `=` of a soft line break included.
    static let maximumLineLength = 76

    /// Encodes `text`, whose lines end in `"\n"` or `"\r\n"`; the result's lines end in CRLF.
    ///
    /// A final line break is kept as a final CRLF, so the part decodes to the text with CRLF line endings,
    /// nothing added. A CR that does not start a CRLF is data, and is encoded as `=0D`.
    static func encode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8 + 16)
        var lineStart = 0
        while true {
            let lineFeedIndex = bytes[lineStart...].firstIndex(of: lineFeed) ?? bytes.count
            let lineEnd =
                lineFeedIndex > lineStart && bytes[lineFeedIndex - 1] == carriageReturn
                ? lineFeedIndex - 1 : lineFeedIndex
            encodeLine(bytes[lineStart..<lineEnd], into: &output)
            guard lineFeedIndex < bytes.count else { break }
            output += [carriageReturn, lineFeed]
            lineStart = lineFeedIndex + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends one line's encoding, byte by byte: no array per character (this runs over every byte sent).
    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var lineLength = 0
        var index = line.startIndex
        while index < line.endIndex {
            // A character's bytes stay on one line: legal either way, but kinder to readers that decode per line.
            let end = min(index + sequenceLength(leadByte: line[index]), line.endIndex)
            let isLast = end == line.endIndex
            var width = 0
            for byte in line[index..<end] { width += isLiteral(byte, atEndOfLine: isLast) ? 1 : 3 }
            // Leave room for the `=` of a soft break unless nothing follows on this line.
            if lineLength + width > maximumLineLength - (isLast ? 0 : 1) {
                output += [equalsSign, carriageReturn, lineFeed]
                lineLength = 0
            }
            if lineLength == 0, startsFragileLine(line, at: index) {
                appendEscaped(line[index], to: &output)
                width = 3
            } else {
                for byte in line[index..<end] {
                    if isLiteral(byte, atEndOfLine: isLast) {
                        output.append(byte)
                    } else {
                        appendEscaped(byte, to: &output)
                    }
                }
            }
            lineLength += width
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

    private static func isLiteral(_ byte: UInt8, atEndOfLine: Bool) -> Bool {
        if (0x21...0x7E).contains(byte) && byte != equalsSign { return true }
        // RFC 2045 §6.7(3): white space ending a line may be stripped in transit, so it is encoded there only.
        return (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !atEndOfLine
    }

    /// A `.` opening a line is the end-of-data mark to an SMTP server if a transport forgets to dot-stuff, and
    /// `From ` opening a line gets rewritten to `>From ` by mbox tools; encoding the first character avoids both.
    private static func startsFragileLine(_ line: ArraySlice<UInt8>, at index: Int) -> Bool {
        line[index] == UInt8(ascii: ".") || line[index...].starts(with: "From ".utf8)
    }

    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(equalsSign)
        Hex.appendUppercase(byte, to: &output)
    }

    private static let equalsSign = UInt8(ascii: "=")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
}
