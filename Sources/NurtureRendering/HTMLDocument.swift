/// The HTML part of an email: a rendered Markdown body, or plain text shown as it is.
public enum HTMLDocument {
    /// Plain text (a task reminder, say) as an HTML part that keeps its lines.
    public static func preformatted(_ text: String, title: String) -> String {
        wrap("<pre style=\"font-family: inherit; white-space: pre-wrap\">\(escape(text))</pre>", title: title)
    }

    static func wrap(_ fragment: String, title: String) -> String {
        """
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        </head>
        <body>
        \(fragment)
        </body>
        </html>

        """
    }

    /// Byte by byte: the four are ASCII, and an HTML parser reads code points, not characters, so a quote with a
    /// combining mark after it still ends an attribute and is escaped too. (By characters, this was most of the
    /// cost of putting a message's tracked links in.)
    /// - Parameter quotes: whether `"` is escaped too (for attributes); Ink leaves it as it is in code.
    static func escape(_ text: String, quotes: Bool = true) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped += "&amp;".utf8
            case UInt8(ascii: "<"): escaped += "&lt;".utf8
            case UInt8(ascii: ">"): escaped += "&gt;".utf8
            case UInt8(ascii: "\"") where quotes: escaped += "&quot;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
