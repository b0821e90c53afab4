import Foundation

/// RFC 2047 encoded words: how non-ASCII text travels in a 7-bit header, e.g. `=?utf-8?q?Jos=C3=A9?=`.
enum EncodedWord {
    /// RFC 2047 §2: an encoded word is at most 75 characters long.
    static let maximumLength = 75
    /// Room for the largest scalar (4 UTF-8 bytes, 12 characters in Q), so every word can hold at least one.
    static let minimumLength = 24

    enum Encoding: Equatable {
        /// Quoted-printable-like: readable when the text is mostly ASCII.
        case q
        /// Base64: shorter when most characters are not ASCII.
        case b

        var marker: String { self == .q ? "q" : "b" }
    }

    /// `=?utf-8?q?` plus `?=`.
    private static let overhead = 12

    /// The encoded words for `text`, to be written separated by single spaces (which decoders drop between words).
    ///
    /// The whole text is encoded, spaces included, so it decodes back exactly. The first word is at most
    /// `firstWordLimit` long so it fits beside the field name; the others at most 75. Words break only between
    /// grapheme clusters, or between scalars for a cluster too long for one word, never inside a UTF-8 sequence.
    static func encode(_ text: String, firstWordLimit: Int = maximumLength) -> [String] {
        let encoding = preferredEncoding(for: text)
        let firstLimit = min(max(firstWordLimit, minimumLength), maximumLength)
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = firstLimit
        for unit in units(of: text, encoding: encoding, limit: firstLimit) {
            if !chunk.isEmpty, overhead + payloadLength(chunk + unit, encoding) > limit {
                words.append(word(chunk, encoding))
                chunk = []
                limit = maximumLength
            }
            chunk += unit
        }
        if !chunk.isEmpty { words.append(word(chunk, encoding)) }
        return words
    }

    /// Q when it is no longer than B for the whole text, so mostly-ASCII text stays readable in the raw message.
    static func preferredEncoding(for text: String) -> Encoding {
        let bytes = Array(text.utf8)
        return payloadLength(bytes, .q) <= payloadLength(bytes, .b) ? .q : .b
    }

    /// One encoded word holding exactly `bytes`, which must be whole UTF-8 sequences.
    static func word(_ bytes: [UInt8], _ encoding: Encoding) -> String {
        let payload: String
        switch encoding {
        case .q: payload = String(decoding: bytes.flatMap(qEncoded(_:)), as: UTF8.self)
        case .b: payload = Base64.encode(bytes)
        }
        return "=?utf-8?\(encoding.marker)?\(payload)?="
    }

    private static func payloadLength(_ bytes: [UInt8], _ encoding: Encoding) -> Int {
        switch encoding {
        case .q: return bytes.reduce(0) { $0 + qEncoded($1).count }
        case .b: return (bytes.count + 2) / 3 * 4
        }
    }

    /// The pieces words may break between: grapheme clusters, split into scalars when a cluster alone would
    /// not fit a word.
    private static func units(of text: String, encoding: Encoding, limit: Int) -> [[UInt8]] {
        text.flatMap { character -> [[UInt8]] in
            let bytes = Array(character.utf8)
            if overhead + payloadLength(bytes, encoding) <= limit { return [bytes] }
            return character.unicodeScalars.map { Array(String($0).utf8) }
        }
    }

    /// RFC 2047 §5(3) lets a Q word in a display name carry only these characters unencoded; unstructured text
    /// allows more, but one narrow rule for both is simpler and just as valid.
    private static func qEncoded(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "/"):
            return [byte]
        case UInt8(ascii: " "):
            return [UInt8(ascii: "_")]
        default:
            return [UInt8(ascii: "=")] + Hex.uppercase(byte)
        }
    }
}

enum Hex {
    static func uppercase(_ byte: UInt8) -> [UInt8] {
        [uppercaseDigit(byte >> 4), uppercaseDigit(byte & 0x0F)]
    }

    /// The digit for a value under 16.
    static func uppercaseDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
