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

    /// - Parameter quotes: whether `"` is escaped too (for attributes); Ink leaves it as it is in code.
    static func escape(_ text: String, quotes: Bool = true) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"" where quotes: escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
