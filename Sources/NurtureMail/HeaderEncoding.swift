import NurtureCore

/// Turns header values into RFC 5322 fields: plain ASCII where it can stay plain, RFC 2047 encoded words where
/// it cannot, display names as atoms, quoted strings or encoded words, all folded at 78 characters.
enum HeaderEncoding {
    /// An unstructured field such as `Subject`: plain and folded at white space when it is printable ASCII,
    /// otherwise encoded words.
    static func unstructured(_ name: String, _ value: String) -> HeaderField {
        guard !value.isEmpty else { return HeaderField(name, pieces: []) }
        if !needsEncoding(value) {
            let plain = HeaderField(name, pieces: HeaderField.pieces(splittingAtWhiteSpace: value))
            // A word too long to fold would break the 998-octet limit; encoded words can be cut anywhere.
            if plain.longestLine <= HeaderField.maximumLineLength { return plain }
        }
        return HeaderField(name, pieces: encodedPieces(value, firstLineRoom: HeaderField.firstLineRoom(after: name)))
    }

    /// A one-mailbox address field: `Dana Reyes <dana@acme.example>`, or the bare address without a name.
    static func mailbox(_ name: String, _ mailbox: Mailbox) -> HeaderField {
        let address = mailbox.address.description
        guard let displayName = mailbox.displayName, !displayName.isEmpty else {
            return HeaderField(name, pieces: [address])
        }
        let angleAddress = " <\(address)>"
        if !needsEncoding(displayName) {
            let words = isAtomPhrase(displayName) ? displayName : quotedString(displayName)
            let plain = HeaderField(name, pieces: HeaderField.pieces(splittingAtWhiteSpace: words) + [angleAddress])
            if plain.longestLine <= HeaderField.maximumLineLength { return plain }
        }
        let encoded = encodedPieces(displayName, firstLineRoom: HeaderField.firstLineRoom(after: name))
        return HeaderField(name, pieces: encoded + [angleAddress])
    }

    /// True when `text` cannot go into a header as it is: anything but printable ASCII and spaces, or a `=?`
    /// that a reader would take for the start of an encoded word.
    static func needsEncoding(_ text: String) -> Bool {
        // Byte by byte (`contains("=?")` is Foundation's search by characters, and this runs for every header).
        var afterEquals = false
        for byte in text.utf8 {
            if byte < 0x20 || byte > 0x7E || (afterEquals && byte == UInt8(ascii: "?")) { return true }
            afterEquals = byte == UInt8(ascii: "=")
        }
        return false
    }

    /// A display name is written bare only as RFC 5322 atoms separated by single spaces.
    static func isAtomPhrase(_ text: String) -> Bool {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        return words.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isAtomText(_:)) }
    }

    /// `"Reyes, Dana"`: RFC 5322 §3.2.4 quoting, with `"` and `\` escaped.
    static func quotedString(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    private static func encodedPieces(_ text: String, firstLineRoom: Int) -> [String] {
        EncodedWord.encode(text, firstWordLimit: firstLineRoom).enumerated().map { $0 == 0 ? $1 : " " + $1 }
    }

    private static func isAtomText(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }
}
