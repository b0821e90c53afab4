/// Content-Transfer-Encoding (RFC 2045 §6): base64 and quoted-printable, both decoded leniently.
enum TransferDecoding {
    /// The decoded body for a `Content-Transfer-Encoding` value; 7bit, 8bit, binary and unknown encodings
    /// are passed through unchanged.
    static func decode(_ bytes: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding.map({ Charset.normalizedName($0) }) {
        case "base64": return base64(bytes)
        case "quoted-printable": return quotedPrintable(bytes, underscoreIsSpace: false)
        default: return Array(bytes)
        }
    }

    /// Skips every byte outside the base64 alphabet (line breaks, spaces, stray punctuation, padding), and
    /// drops bits left over at the end, so wrapped, indented or truncated base64 still decodes.
    static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value = base64Values[Int(byte)]
            guard value < 64 else { continue }
            buffer = (buffer << 6 | UInt32(value)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return output
    }

    /// `=XX` becomes the byte, `=` before a line break (trailing white space allowed) is a soft break, and an
    /// `=` that starts neither is kept as it is. In encoded words (`underscoreIsSpace`) `_` means a space.
    static func quotedPrintable(_ bytes: some Collection<UInt8>, underscoreIsSpace: Bool) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "_"), underscoreIsSpace {
                output.append(UInt8(ascii: " "))
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            // A soft line break: `=`, optional transport padding, then CRLF or LF (or the end of the body).
            var next = index + 1
            while next < input.count, input[next] == UInt8(ascii: " ") || input[next] == UInt8(ascii: "\t") {
                next += 1
            }
            if next < input.count, input[next] == UInt8(ascii: "\r") { next += 1 }
            if next < input.count, input[next] == UInt8(ascii: "\n") {
                index = next + 1
            } else if next >= input.count {
                index = next
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        // The URL-safe alphabet shows up in sloppy encoders; it cannot be confused with anything else here.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()
}
