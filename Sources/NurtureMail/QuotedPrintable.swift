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

    /// `encode(text)`, appended to a message's bytes. This runs over every byte sent, so it reads the text's UTF-8
    /// in place and writes through a pointer into room reserved for the worst case: appending to an array byte by
    /// byte checked its storage's uniqueness and capacity for every byte (the encoder was 3.6 % of a send).
    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Each byte takes at most 3 (a line break 2), and a soft break's 3 follow at least 64 written for at
            // least 21 bytes read: under 3.15 a byte in all.
            let worstCase = bytes.count * 4 + 16
            let encoded = [UInt8](unsafeUninitializedCapacity: worstCase) { buffer, count in
                var writer = Writer(base: buffer.baseAddress!)
                var lineStart = 0
                while true {
                    var lineFeedIndex = lineStart
                    while lineFeedIndex < bytes.count && bytes[lineFeedIndex] != lineFeed { lineFeedIndex += 1 }
                    let lineEnd =
                        lineFeedIndex > lineStart && bytes[lineFeedIndex - 1] == carriageReturn
                        ? lineFeedIndex - 1 : lineFeedIndex
                    encodeLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), into: &writer)
                    guard lineFeedIndex < bytes.count else { break }
                    writer.put(carriageReturn)
                    writer.put(lineFeed)
                    lineStart = lineFeedIndex + 1
                }
                assert(writer.count <= worstCase, "quoted-printable wrote past its worst case")
                count = writer.count
            }
            output += encoded
        }
    }

    /// Where the encoding goes: room for the worst case, written without checks.
    private struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func put(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            (base + count).update(from: bytes.baseAddress!, count: bytes.count)
            count += bytes.count
        }

        mutating func putEscaped(_ byte: UInt8) {
            base[count] = equalsSign
            base[count + 1] = Hex.uppercaseDigit(byte >> 4)
            base[count + 2] = Hex.uppercaseDigit(byte & 0x0F)
            count += 3
        }
    }

    /// Appends one line's encoding: runs of ASCII that stay as they are at once, everything else character by
    /// character.
    private static func encodeLine(_ line: UnsafeBufferPointer<UInt8>, into output: inout Writer) {
        var lineLength = 0
        var index = 0
        while index < line.count {
            // Within an encoded line (its first character may need escaping), up to where a soft break is due,
            // short of the line's last byte (white space there is escaped): what the loop below would write one
            // byte at a time, for most of a message's bytes.
            if lineLength > 0 {
                let limit = min(line.count - 1, index + maximumLineLength - 1 - lineLength)
                var end = index
                while end < limit && isLiteral(line[end], atEndOfLine: false) { end += 1 }
                if end > index {
                    output.put(UnsafeBufferPointer(rebasing: line[index..<end]))
                    lineLength += end - index
                    index = end
                    continue
                }
            }
            // A character's bytes stay on one line: legal either way, but kinder to readers that decode per line.
            let end = min(index + sequenceLength(leadByte: line[index]), line.count)
            let isLast = end == line.count
            var width = 0
            for position in index..<end { width += isLiteral(line[position], atEndOfLine: isLast) ? 1 : 3 }
            // Leave room for the `=` of a soft break unless nothing follows on this line.
            if lineLength + width > maximumLineLength - (isLast ? 0 : 1) {
                output.put(equalsSign)
                output.put(carriageReturn)
                output.put(lineFeed)
                lineLength = 0
            }
            if lineLength == 0, startsFragileLine(line, at: index) {
                output.putEscaped(line[index])
                width = 3
            } else {
                for position in index..<end {
                    let byte = line[position]
                    if isLiteral(byte, atEndOfLine: isLast) {
                        output.put(byte)
                    } else {
                        output.putEscaped(byte)
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

    private static let equalsSign = UInt8(ascii: "=")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
}
