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
        var fence: Substring?
        for (number, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if number > 0 { output += "\n" }
            let marker = line.drop { $0 == " " }.prefix { $0 == "`" || $0 == "~" }
            if let open = fence {
                output += line
                if marker.count >= open.count && marker.first == open.first { fence = nil }
                continue
            }
            if marker.count >= 3 && Set(marker).count == 1 {
                fence = marker
                depth = 0
                output += line
                continue
            }
            // A paragraph is the most Ink reads as one piece.
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { depth = 0 }
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
