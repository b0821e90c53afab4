import NurtureCore

/// Reads the mailboxes of an address field (RFC 5322 §3.4): `Name <a@b>`, `"Last, First" <a@b>`, bare `a@b`,
/// `a@b (Name)`, groups (`Team: a@b, c@d;`), comments anywhere. Display names have their encoded words decoded.
///
/// A mailbox whose address `EmailAddress` does not accept (quoted local parts with spaces, non-ASCII, domain
/// literals) is left out rather than failing the whole field. One pass, no recursion: nested comments are
/// counted, not descended into.
enum AddressListParser {
    static func mailboxes(_ rawValue: String) -> [Mailbox] {
        var parser = State()
        var scalars = rawValue.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case "\"":
                var quoted = String.UnicodeScalarView()
                var escaped = false
                while let next = scalars.next() {
                    if escaped {
                        quoted.append(next)
                        escaped = false
                    } else if next == "\\" {
                        escaped = true
                    } else if next == "\"" {
                        break
                    } else {
                        quoted.append(next)
                    }
                }
                parser.addQuoted(String(quoted))
            case "(":
                var comment = String.UnicodeScalarView()
                var depth = 1
                var escaped = false
                while let next = scalars.next() {
                    if escaped {
                        escaped = false
                    } else if next == "\\" {
                        escaped = true
                        continue
                    } else if next == "(" {
                        depth += 1
                    } else if next == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    comment.append(next)
                }
                parser.comment = String(comment)
            case "<":
                var angle = String.UnicodeScalarView()
                while let next = scalars.next(), next != ">" { angle.append(next) }
                parser.angle = String(angle)
            case "[":
                // A domain literal may hold `:` and `,`; it is kept whole (and later refused by EmailAddress).
                var literal = String.UnicodeScalarView(["["])
                while let next = scalars.next() {
                    literal.append(next)
                    if next == "]" { break }
                }
                parser.addText(String(literal))
            case ",":
                parser.finishMailbox()
            case ":" where parser.angle == nil:
                // A group's name is not a person's name: drop it and read its members.
                parser.phrase = ""
                parser.bare = ""
                parser.comment = nil
            case ";":
                parser.finishMailbox()
            default:
                parser.addText(String(scalar))
            }
        }
        parser.finishMailbox()
        return parser.mailboxes
    }

    private struct State {
        var mailboxes: [Mailbox] = []
        /// The words before an angle address, for the display name.
        var phrase = ""
        /// The same words without white space, for a bare addr-spec.
        var bare = ""
        var angle: String?
        var comment: String?

        mutating func addText(_ text: String) {
            phrase += text
            if !(text == " " || text == "\t" || text == "\r" || text == "\n") { bare += text }
        }

        mutating func addQuoted(_ text: String) {
            phrase += text
            // `"dana.reyes"@x` is the same address as `dana.reyes@x`; with anything else inside, the quotes
            // stay and EmailAddress refuses it.
            let isDotAtom =
                !text.isEmpty
                && text.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0 != "\\" && $0 != "\"" }
            bare += isDotAtom ? text : "\"\(text)\""
        }

        mutating func finishMailbox() {
            defer {
                phrase = ""
                bare = ""
                angle = nil
                comment = nil
            }
            if let angle {
                guard let address = try? EmailAddress(Self.withoutRoute(angle)) else { return }
                let name = HeaderText.unstructured(phrase)
                mailboxes.append(Mailbox(displayName: name.isEmpty ? nil : name, address: address))
            } else if !bare.isEmpty, let address = try? EmailAddress(bare) {
                // `dana@x (Dana Reyes)`: the old way of naming someone.
                let name = comment.map(HeaderText.unstructured) ?? ""
                mailboxes.append(Mailbox(displayName: name.isEmpty ? nil : name, address: address))
            }
        }

        /// `<@relay.example:dana@x>`: the obsolete source route goes, the address stays (RFC 5322 §4.4).
        /// White space and comments inside the brackets go too.
        private static func withoutRoute(_ angle: String) -> String {
            var depth = 0
            let trimmed = String(
                angle.unicodeScalars.filter { scalar in
                    if scalar == "(" { depth += 1 }
                    defer { if scalar == ")" { depth = max(0, depth - 1) } }
                    return depth == 0 && scalar != ")" && !scalar.properties.isWhitespace
                })
            guard trimmed.hasPrefix("@"), let colon = trimmed.firstIndex(of: ":") else { return trimmed }
            return String(trimmed[trimmed.index(after: colon)...])
        }
    }
}
