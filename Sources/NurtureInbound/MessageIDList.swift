/// Reads `Message-ID`, `In-Reply-To` and `References` (RFC 5322 §3.6.4) as a list of ids, each returned with its
/// angle brackets (`<id@host>`), the form `EncodedMessage.messageID` has, so ids compare as strings.
///
/// Tolerant: comments and quoted strings are skipped (`<a@b> (Dana's message of "Monday")`), white space inside
/// brackets is removed (some clients fold long ids), and a bare `id@host` without brackets is accepted.
enum MessageIDList {
    static func ids(_ rawValue: String) -> [String] {
        var ids: [String] = []
        var word = String.UnicodeScalarView()
        var scalars = rawValue.unicodeScalars.makeIterator()

        func finishBareWord() {
            let text = String(word)
            word = String.UnicodeScalarView()
            // Only a word that looks like an id: In-Reply-To sometimes carries prose such as `message of`.
            guard text.contains("@"), !text.hasPrefix("@"), !text.hasSuffix("@") else { return }
            ids.append("<\(text)>")
        }

        while let scalar = scalars.next() {
            switch scalar {
            case "<":
                finishBareWord()
                var id = String.UnicodeScalarView()
                while let next = scalars.next(), next != ">" {
                    if !next.properties.isWhitespace { id.append(next) }
                }
                if !id.isEmpty { ids.append("<\(String(id))>") }
            case "(":
                finishBareWord()
                var depth = 1
                while depth > 0, let next = scalars.next() {
                    if next == "(" { depth += 1 } else if next == ")" { depth -= 1 }
                }
            case "\"":
                finishBareWord()
                while let next = scalars.next(), next != "\"" {}
            case ",", " ", "\t", "\r", "\n":
                finishBareWord()
            default:
                word.append(scalar)
            }
        }
        finishBareWord()
        return ids
    }
}
