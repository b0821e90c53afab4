/// Keeps Ink from reading a body that opens with a `---` line as front matter.
///
/// Ink takes a document whose first block (after blank lines and `[name]: url` link definitions) is a `---` line
/// for `key: value` metadata up to the next `---`, and drops it from the HTML: a body opening with a rule lost
/// everything up to the next `---` line (when the footer went through Ink, its rule), and one ending in white space
/// after a line with no `:` crashed the process (Ink reads past the end of the text). Bodies have no front matter,
/// so that line is written `***`: the same rule to Ink (`<hr>`), never metadata. Everything else is left as it is.
enum FrontMatter {
    static func defused(_ markdown: String) -> String {
        var index = markdown.startIndex
        while true {
            // Ink skips white space and line breaks before each block.
            index = markdown[index...].firstIndex { !$0.isWhitespace } ?? markdown.endIndex
            let rest = markdown[index...]
            // Ink wants exactly three dashes and then "\n" (a "\r\n" is one Character, and no match, there too).
            if rest.hasPrefix("---\n") {
                var defused = markdown
                defused.replaceSubrange(index..<markdown.index(index, offsetBy: 3), with: "***")
                return defused
            }
            guard let end = linkDefinitionEnd(rest) else { return markdown }
            index = end
        }
    }

    /// Where a line Ink reads as a link definition ends, if `text` opens with one: `[`, a name up to `]` on the
    /// same line, `:`, at least one space or tab, then anything to the end of the line.
    private static func linkDefinitionEnd(_ text: Substring) -> String.Index? {
        guard text.first == "[", let close = text.firstIndex(where: { $0 == "]" || $0.isNewline }),
            text[close] == "]"
        else { return nil }
        let afterClose = text[text.index(after: close)...]
        guard afterClose.first == ":", let space = afterClose.dropFirst().first,
            space.isWhitespace, !space.isNewline
        else { return nil }
        return afterClose.firstIndex(where: \.isNewline) ?? text.endIndex
    }
}
