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
        append(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `encode(text)`, appended to a message's bytes. Reads the text's UTF-8 in place: this runs over every byte
    /// sent, and indexing slices of an array retained and released its storage for every byte.
    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            output.reserveCapacity(output.count + bytes.count + bytes.count / 8 + 16)
            var lineStart = 0
            while true {
                var lineFeedIndex = lineStart
                while lineFeedIndex < bytes.count && bytes[lineFeedIndex] != lineFeed { lineFeedIndex += 1 }
                let lineEnd =
                    lineFeedIndex > lineStart && bytes[lineFeedIndex - 1] == carriageReturn
                    ? lineFeedIndex - 1 : lineFeedIndex
                encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), into: &output)
                guard lineFeedIndex < bytes.count else { break }
                output.append(carriageReturn)
                output.append(lineFeed)
                lineStart = lineFeedIndex + 1
            }
        }
    }

    /// Appends one line's encoding, byte by byte.
    private static func encodeLine(_ line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var lineLength = 0
        var index = 0
        while index < line.count {
            // A character's bytes stay on one line: legal either way, but kinder to readers that decode per line.
            let end = min(index + sequenceLength(leadByte: line[index]), line.count)
            let isLast = end == line.count
            var width = 0
            for position in index..<end { width += isLiteral(line[position], atEndOfLine: isLast) ? 1 : 3 }
            // Leave room for the `=` of a soft break unless nothing follows on this line.
            if lineLength + width > maximumLineLength - (isLast ? 0 : 1) {
                output.append(equalsSign)
                output.append(carriageReturn)
                output.append(lineFeed)
                lineLength = 0
            }
            if lineLength == 0, startsFragileLine(line, at: index) {
                appendEscaped(line[index], to: &output)
                width = 3
            } else {
                for position in index..<end {
                    let byte = line[position]
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
    private static func startsFragileLine(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
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
