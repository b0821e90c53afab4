import NurtureCampaigns

/// Placeholders for a message's values while its body goes through Ink, so that one Ink run serves every prospect
/// whose body has the same shape (`BodyShape`).
///
/// A placeholder is one scalar of a private-use plane: nobody types it, no font draws it, and Ink reads it as it
/// reads a letter. They stand for the template's values in the order the template first looks them up.
enum StandIn {
    /// Supplementary Private Use Area-A, which holds 65,534 scalars.
    private static let first: UInt32 = 0xF_0000
    static let capacity = 0xFFFE

    static func placeholder(_ index: Int) -> String {
        String(Character(Unicode.Scalar(first + UInt32(index))!))
    }

    static func index(of scalar: Unicode.Scalar) -> Int? {
        let offset = Int(scalar.value) - Int(first)
        return (0..<capacity).contains(offset) ? offset : nil
    }

    /// Whether `text` may hold a scalar of the placeholders' plane, which would be taken for one.
    static func mayOccur(in text: String) -> Bool {
        // U+C0000 and above are the scalars whose UTF-8 starts with 0xF3 or 0xF4.
        text.utf8.contains { $0 >= 0xF3 }
    }

    /// Whether Ink reads this template value, once escaped, exactly as it reads its placeholder: a word that starts
    /// with a letter and ends with a letter or digit, white space only as single spaces between words (Ink looks at
    /// runs of spaces, line ends and what starts a line), and grapheme clusters that neither reach into the text
    /// beside it nor swallow the `&` or `;` of a character reference the escaping writes.
    static func isInert(_ value: String) -> Bool {
        guard let first = value.first, let last = value.last, first.isLetter, !first.isNumber,
            last.isLetter || last.isNumber, !mayOccur(in: value)
        else { return false }
        var previous: Character?
        for character in value {
            let scalars = character.unicodeScalars
            if scalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
                guard character == " ", previous != " " else { return false }
            } else if scalars.count > 1, MarkdownEscaping().escapeText(String(character)) != String(character) {
                return false
            }
            previous = character
        }
        // A placeholder has ASCII on both sides (`BodyShape` makes sure); beside ASCII, no cluster grows.
        return ("a" + value).count == value.count + 1 && (value + "a").count == value.count + 1
    }
}
