import Foundation
import NurtureTestSupport
import Testing

@testable import NurtureMail

@Suite struct QuotedPrintableTests {
    /// A minimal RFC 2045 decoder, to check encodings round-trip.
    static func decodeBytes(_ encoded: String) -> [UInt8] {
        let bytes = Array(encoded.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let escape = bytes[index] == UInt8(ascii: "=") && index + 2 < bytes.count
            if escape, let byte = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16) {
                output.append(byte)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }

    static func decode(_ encoded: String) -> String {
        String(decoding: decodeBytes(encoded), as: UTF8.self)
    }

    @Test func printableASCIIPassesThroughAndLineBreaksBecomeCRLF() {
        #expect(QuotedPrintable.encode("Hi Dana,\n\nSee you soon!\n") == "Hi Dana,\r\n\r\nSee you soon!\r\n")
    }

    @Test func equalsSignIsEncoded() {
        #expect(QuotedPrintable.encode("a=b ==") == "a=3Db =3D=3D")
    }

    @Test func nonASCIIIsEncodedAsUTF8Octets() {
        #expect(QuotedPrintable.encode("café ☕") == "caf=C3=A9 =E2=98=95")
    }

    @Test func whiteSpaceIsEncodedOnlyWhereItEndsALine() {
        #expect(QuotedPrintable.encode("a b \nc\td\t\n \n") == "a b=20\r\nc\td=09\r\n=20\r\n")
    }

    @Test func crlfInputIsTheSameAsLFAndALoneCRIsData() {
        #expect(QuotedPrintable.encode("a\r\nb\r\n") == QuotedPrintable.encode("a\nb\n"))
        #expect(QuotedPrintable.encode("a\rb") == "a=0Db")
    }

    @Test func finalLineBreakIsKeptAndNothingIsAdded() {
        #expect(QuotedPrintable.encode("") == "")
        #expect(QuotedPrintable.encode("x") == "x")
        #expect(QuotedPrintable.encode("x\n") == "x\r\n")
    }

    @Test func lineOf76CharactersIsNotBrokenButOneOf77Is() {
        let exact = String(repeating: "a", count: 76)
        #expect(QuotedPrintable.encode(exact) == exact)
        let longer = String(repeating: "a", count: 77)
        #expect(QuotedPrintable.encode(longer) == String(repeating: "a", count: 75) + "=\r\naa")
    }

    @Test(arguments: [
        String(repeating: "abcdefghij", count: 500),
        String(repeating: "ção ☕ 👨‍👩‍👧‍👦 ", count: 300),
        String(repeating: "= ", count: 200) + "\n" + String(repeating: "\t", count: 100) + "\n",
        String(repeating: "é", count: 37) + "." + String(repeating: ".", count: 80),
        // The most a byte can cost: every byte escaped, soft breaks as often as they come, and line breaks.
        String(repeating: "😀", count: 2_000) + String(repeating: "\n=\r=", count: 500),
    ])
    func softBreaksKeepEveryLineWithin76AndDecodeBackExactly(_ text: String) {
        let encoded = QuotedPrintable.encode(text)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.allSatisfy { !($0.hasSuffix(" ") || $0.hasSuffix("\t")) })
        #expect(encoded.utf8.allSatisfy { $0 < 0x80 })
        #expect(Self.decode(encoded) == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func theWorstCaseStaysWithinTheRoomReserved() {
        // Four bytes to a character, each escaped: 12 written for 4 read, and a soft break every 6 characters.
        let text = String(repeating: "😀", count: 10_000)
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.utf8.count == 10_000 * 12 + (10_000 / 6) * 3 - (10_000 % 6 == 0 ? 3 : 0))
        #expect(encoded.utf8.count <= text.utf8.count * 4 + 16)
    }

    @Test func softBreakNeverSplitsAnEscapeOrACharacter() {
        let encoded = QuotedPrintable.encode("x" + String(repeating: "é☕", count: 60))
        for line in encoded.components(separatedBy: "=\r\n") {
            // Each physical line decodes on its own to whole UTF-8 characters.
            #expect(String(validating: Self.decodeBytes(line), as: UTF8.self) != nil)
        }
    }

    /// The encoder writes runs of plain ASCII at once; this is the character-by-character encoding it replaced
    /// (the line loop of `QuotedPrintable.append` before the runs), which it must match byte for byte.
    static func referenceEncoding(_ text: String) -> String {
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var lineStart = 0
        while true {
            var lineFeed = lineStart
            while lineFeed < bytes.count && bytes[lineFeed] != 0x0A { lineFeed += 1 }
            let lineEnd = lineFeed > lineStart && bytes[lineFeed - 1] == 0x0D ? lineFeed - 1 : lineFeed
            let line = Array(bytes[lineStart..<lineEnd])
            var lineLength = 0
            var index = 0
            func escaped(_ byte: UInt8) -> [UInt8] { Array(String(format: "=%02X", byte).utf8) }
            func literal(_ byte: UInt8, _ last: Bool) -> Bool {
                ((0x21...0x7E).contains(byte) && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !last)
            }
            while index < line.count {
                let length = line[index] >= 0xF0 ? 4 : line[index] >= 0xE0 ? 3 : line[index] >= 0xC0 ? 2 : 1
                let end = min(index + length, line.count)
                let isLast = end == line.count
                var width = (index..<end).reduce(0) { $0 + (literal(line[$1], isLast) ? 1 : 3) }
                if lineLength + width > 76 - (isLast ? 0 : 1) {
                    output += Array("=\r\n".utf8)
                    lineLength = 0
                }
                if lineLength == 0, line[index] == 0x2E || line[index...].starts(with: "From ".utf8) {
                    output += escaped(line[index])
                    width = 3
                } else {
                    for position in index..<end {
                        output += literal(line[position], isLast) ? [line[position]] : escaped(line[position])
                    }
                }
                lineLength += width
                index = end
            }
            guard lineFeed < bytes.count else { break }
            output += Array("\r\n".utf8)
            lineStart = lineFeed + 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    @Test func runsOfPlainASCIIEncodeAsTheCharacterByCharacterEncoderDid() {
        // Pieces that meet every rule: breaks, escapes, white space before a break, fragile line starts, characters
        // of every length, and long runs that cross the soft-break column at every offset.
        let pieces = [
            "a", "Hello there, ", " ", "\t", "=", ".", "From ", "From", "\n", "\r\n", "\r", "é", "☕", "😀", "\u{7F}",
            "\u{01}", String(repeating: "x", count: 70), String(repeating: "y ", count: 40),
            "https://acme.example/p?a=1",
        ]
        var random = SeededGenerator(state: 20_261_207)
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 1...40, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            #expect(QuotedPrintable.encode(text) == Self.referenceEncoding(text), "\(text.debugDescription)")
        }
        for column in 0..<80 {
            let text = String(repeating: "z", count: column) + "é" + String(repeating: "w", count: 160) + " \n."
            #expect(QuotedPrintable.encode(text) == Self.referenceEncoding(text))
        }
    }

    @Test func lineStartingWithADotOrFromIsEscaped() {
        #expect(QuotedPrintable.encode(".\n..x\nFrom me\nFromage\n") == "=2E\r\n=2E.x\r\n=46rom me\r\nFromage\r\n")
        let afterSoftBreak = QuotedPrintable.encode(String(repeating: "a", count: 75) + ".b")
        #expect(afterSoftBreak == String(repeating: "a", count: 75) + "=\r\n=2Eb")
    }
}
