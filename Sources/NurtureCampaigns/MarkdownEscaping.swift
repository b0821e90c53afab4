import Mustache

/// How values are escaped in a Markdown body: as HTML character references, so Ink passes them through as
/// text. A prospect's name can then hold `<`, `&`, `[link](...)` or `![img](...)` and still read as typed.
/// Public for a renderer that puts an escaped value in place itself.
public struct MarkdownEscaping: MustacheContentType {
    static let name = "NURTURE_MARKDOWN"

    /// Registered once, before any body compiles: the pragma names it.
    static let registered: Void = MustacheContentTypes.register(MarkdownEscaping(), named: name)

    public init() {}

    public func escapeText(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            // Everything Markdown could read as syntax: links, images, emphasis, code, headings, lists, tables.
            case "\\", "[", "]", "(", ")", "!", "*", "_", "`", "#", "+", "-", ".", "|", "~", "{", "}", "'":
                escaped += "&#\(scalar.value);"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
