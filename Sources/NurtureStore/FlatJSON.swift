/// Reads a prospect's attributes as the store writes them (`SQLiteStore.encode(_:)`): one JSON object whose values
/// are all strings. Every send reads them, and Foundation's `JSONDecoder` was 2 % of a send's CPU for a few bytes.
///
/// Anything else (a number, a nested value, a repeated key, an escape the store never writes, a hand edit) gives
/// nil, and the caller falls back on `JSONDecoder`, so what is accepted and what is refused stays JSON's.
enum FlatJSON {
    static func stringObject(_ text: String) -> [String: String]? {
        var reader = Reader(bytes: Array(text.utf8))
        return reader.object()
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func object() -> [String: String]? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var object: [String: String] = [:]
            skipSpace()
            if take(UInt8(ascii: "}")) { return end() ? object : nil }
            repeat {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = string(), object.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
            return end() ? object : nil
        }

        private mutating func end() -> Bool {
            skipSpace()
            return index == bytes.count
        }

        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var utf8: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        // The store escapes only control characters this way; a surrogate is left to JSONDecoder.
                        guard let unit = hex4(), let scalar = Unicode.Scalar(unit) else { return nil }
                        utf8 += String(scalar).utf8
                    default: return nil
                    }
                case 0..<0x20: return nil  // JSON wants control characters escaped
                default: utf8.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt16? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt16 = 0
            for byte in bytes[index..<index + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt16(digit)
            }
            index += 4
            return value
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
    }
}
