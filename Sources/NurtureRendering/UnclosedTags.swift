/// Keeps a `<p` that no `>` follows from sending Ink into an endless loop.
///
/// Ink ends a paragraph's text at `<p` (for a `<p>` tag) and then reads the same place as HTML, which needs a `>`
/// somewhere after it; without one it reads it as a paragraph again, which ends at once: forever. "Save
/// <plenty" is enough, in a body or in a prospect's value written with `{{{triple}}}` braces. Such a `<` can never
/// start a tag, so it is written as `&lt;`, which reads the same.
enum UnclosedTags {
    static func escaped(_ markdown: String) -> String {
        var bytes = Array(markdown.utf8)
        let lastClose = bytes.lastIndex(of: UInt8(ascii: ">")) ?? -1
        let opens = bytes.indices.filter { index in
            index > lastClose && bytes[index] == UInt8(ascii: "<") && index + 1 < bytes.count
                && (bytes[index + 1] == UInt8(ascii: "p") || bytes[index + 1] == UInt8(ascii: "P"))
        }
        guard !opens.isEmpty else { return markdown }
        for index in opens.reversed() { bytes.replaceSubrange(index...index, with: Array("&lt;".utf8)) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
