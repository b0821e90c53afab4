/// Keeps a body's square brackets from costing Ink exponential time.
///
/// Ink reads every `[` as the possible start of a link and, when that fails, reads its text again from the next
/// one: each level of nesting doubles the time (20 levels take seconds, 30 take hours). A body can get there by
/// accident, or through a prospect's value written with `{{{triple}}}` braces, which is not escaped; the send
/// pipeline would stall on it. Past `deepestNesting` levels a `[` is written as the character reference `&#91;`,
/// which reads the same and which Ink leaves as text. Code is left as it is: fenced blocks and backtick spans,
/// where Ink reads no links and a reference would show as typed.
enum BracketNesting {
    /// No link text needs more; CommonMark allows nested brackets, and `[a [b] c](url)` is one level deep.
    static let deepestNesting = 4

    static func limited(_ markdown: String) -> String {
        guard markdown.utf8.lazy.filter({ $0 == UInt8(ascii: "[") }).count > deepestNesting else { return markdown }
        var output = ""
        output.reserveCapacity(markdown.utf8.count)
        var depth = 0
        // The backticks that opened the code block Ink is in.
        var fence: Int?
        // Where Ink reads code and where a piece of text ends are read as Ink reads them, not as CommonMark
        // would: wherever the two differ, brackets taken for code or for another paragraph would reach Ink
        // unlimited. Erring the other way only shows a `&#91;` in code, past four levels.
        var afterEmptyLine = true
        for (number, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if number > 0 { output += "\n" }
            defer { afterEmptyLine = line.isEmpty }
            if let open = fence {
                // Ink ends the block at a line that starts with exactly as many backticks, not indented, and
                // reads what follows them on that line as text.
                let closing = line.prefix { $0 == "`" }
                guard closing.count == open else {
                    output += line
                    continue
                }
                fence = nil
                output += closing
                output += limited(line[closing.endIndex...], depth: &depth)
                continue
            }
            // Ink opens a code block with three backticks or more (never tildes) where a block starts, which past
            // doubt is after an empty line: a paragraph or a list item takes in the next line otherwise (one
            // indented, or in a list one of backticks). The rest of the line names the language.
            let opening = line.drop { $0 == " " || $0 == "\t" }.prefix { $0 == "`" }
            if afterEmptyLine && opening.count >= 3 {
                fence = opening.count
                depth = 0
                output += line
                continue
            }
            // A paragraph is the most Ink reads as one piece, and only an empty line ends one: a line of spaces
            // does not.
            if line.isEmpty { depth = 0 }
            output += limited(line, depth: &depth)
        }
        return output
    }

    private static func limited(_ line: Substring, depth: inout Int) -> String {
        var output = ""
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "`" {
                // A span runs to the next backtick on the line, as Ink reads it: not CommonMark's runs, where
                // ``[[[`` is one span. To Ink that is an empty span, brackets and another: taking them for code
                // let a line of them through to Ink, which took minutes over thirteen.
                let after = line.index(after: index)
                let close = line[after...].firstIndex(of: "`").map(line.index(after:)) ?? after
                output += line[index..<close]
                index = close
                continue
            }
            if character == "\\", line.index(after: index) < line.endIndex {
                output += line[index...line.index(after: index)]
                index = line.index(index, offsetBy: 2)
                continue
            }
            if character == "[" {
                depth += 1
                output += depth > deepestNesting ? "&#91;" : "["
            } else {
                if character == "]" { depth = max(0, depth - 1) }
                output.append(character)
            }
            index = line.index(after: index)
        }
        return output
    }
}
