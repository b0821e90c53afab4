/// Keeps a `<p` that Ink cannot read as a tag from sending it into an endless loop.
///
/// Ink ends a paragraph's text at `<p` (for a `<p>` tag) and then reads the same place as HTML; where that fails
/// it reads it as a paragraph again, which ends at once: forever. It fails where no `>` follows ("Save <plenty"),
/// and wherever a backslash comes right before (`\<pre>`, found by the rendering fuzzer), in a body or in a
/// prospect's value written with `{{{triple}}}` braces. Such a `<` is written as `&lt;`, which reads the same; an
/// escaping backslash goes with it (an even run of them escapes itself, and the `<` then reads as text too).
enum UnclosedTags {
    static func escaped(_ markdown: String) -> String {
        var bytes = Array(markdown.utf8)
        let lastClose = bytes.lastIndex(of: UInt8(ascii: ">")) ?? -1
        let backslash = UInt8(ascii: "\\")
        let opens = bytes.indices.filter { index in
            bytes[index] == UInt8(ascii: "<") && index + 1 < bytes.count
                && (bytes[index + 1] == UInt8(ascii: "p") || bytes[index + 1] == UInt8(ascii: "P"))
                && (index > lastClose || (index > 0 && bytes[index - 1] == backslash))
        }
        guard !opens.isEmpty else { return markdown }
        for index in opens.reversed() {
            var run = 0
            while index - run > 0 && bytes[index - run - 1] == backslash { run += 1 }
            let start = run % 2 == 1 ? index - 1 : index
            bytes.replaceSubrange(start...index, with: Array("&lt;".utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
