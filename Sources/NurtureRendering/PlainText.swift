import Foundation

/// The plain-text part of an email, made from the HTML that Ink produced for its Markdown body.
///
/// Ink's output is a small, regular subset of HTML (paragraphs, headings, lists, links, emphasis, code, quotes,
/// rules, images), so a tag-by-tag walk is enough. Links read as `text (url)`.
struct PlainText {
    let text: String

    init(html: String) {
        var html = html
        // `<` and `>` are ASCII, so they are found byte by byte, in the HTML's UTF-8 in place (a UTF-8 index of
        // one is a character boundary): walking characters would cost a grapheme break test for every one of
        // them, and walking a `Substring`'s UTF-8 view cost half the text part.
        text = html.withUTF8 { bytes in
            var writer = Writer()
            var start = 0
            while start < bytes.count {
                if bytes[start] == Self.open, let close = bytes[(start + 1)...].firstIndex(of: Self.close) {
                    writer.tag(Tag(UnsafeBufferPointer(rebasing: bytes[start + 1..<close])))
                    start = close + 1
                } else {
                    // Text up to the next `<`; a `<` that no `>` closes is text too (and must not stall the loop).
                    let end = bytes[(start + 1)...].firstIndex(of: Self.open) ?? bytes.count
                    writer.text(Entities.decode(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]))))
                    start = end
                }
            }
            return writer.finish()
        }
    }

    private static let open = UInt8(ascii: "<")
    private static let close = UInt8(ascii: ">")
}

extension PlainText {
    /// Foundation's `trimmingCharacters(in: .whitespaces)` by scalars: through Foundation it bridged every link's text
    /// to an `NSString`, a sixth of the text part's cost.
    static func trimmingHorizontalSpace(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isHorizontalSpace($0) }),
            let last = scalars.lastIndex(where: { !isHorizontalSpace($0) })
        else { return text[text.endIndex...] }
        return Substring(scalars[first...last])
    }

    /// What `.whitespaces` holds: tab, the space separators (`Zs`), and the zero width space, a `Zs` until
    /// Unicode 4.0.1, which Foundation still counts.
    static func isHorizontalSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }
}

/// One HTML tag: `a href="x"`, `/p`, `br/`. Its bytes are the HTML's, read in place: it lives only while
/// `PlainText.init` holds them.
private struct Tag {
    let name: String
    let isClosing: Bool
    let source: UnsafeBufferPointer<UInt8>

    init(_ source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        // A `/` is a character of its own unless what follows it joins it (a combining mark): then it is no `/`,
        // as a string's characters would have it. After it ASCII never does.
        isClosing =
            source.first == UInt8(ascii: "/")
            && (source.count == 1 || source[1] < 0x80 || String(decoding: source).hasPrefix("/"))
        // Ink writes tag names in ASCII; anything else ends the name.
        let body = UnsafeBufferPointer(rebasing: source[(isClosing ? 1 : 0)...])
        var length = 0
        while length < body.count, Self.isNameByte(body[length]) { length += 1 }
        name = String(unsafeUninitializedCapacity: length) { name in
            for index in 0..<length { name[index] = body[index].lowercasedASCII }
            return length
        }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Searched for byte by byte: Ink writes the name and quotes in ASCII and escapes any quote in a value, and a
    /// search by characters (`range(of:)`, `prefix`) was most of the cost of turning a message's links into text.
    func attribute(_ attribute: String) -> String? {
        let needle = Array(" \(attribute)=\"".utf8)
        guard let start = source.firstIndex(of: needle, from: 0) else { return nil }
        let valueStart = start + needle.count
        let valueEnd = source[valueStart...].firstIndex(of: UInt8(ascii: "\"")) ?? source.count
        return Entities.decode(String(decoding: UnsafeBufferPointer(rebasing: source[valueStart..<valueEnd])))
    }
}

extension String {
    /// UTF-8 bytes as text, ill-formed sequences repaired as `String(decoding:as:)` does.
    fileprivate init(decoding bytes: UnsafeBufferPointer<UInt8>) {
        self.init(decoding: bytes, as: UTF8.self)
    }
}

private struct Writer {
    private var output = ""
    private var pendingBreaks = 0
    private var lists: [(ordered: Bool, counter: Int)] = []
    private var links: [String?] = []
    /// Where the open link's text begins in `output`, in UTF-8 bytes.
    private var linkTextStart: Int?
    private var quoteDepth = 0
    private var preformatted = false

    mutating func tag(_ tag: Tag) {
        switch (tag.name, tag.isClosing) {
        case ("p", _), ("h1", _), ("h2", _), ("h3", _), ("h4", _), ("h5", _), ("h6", _), ("table", _):
            block()
        case ("blockquote", false):
            block()
            quoteDepth += 1
        case ("blockquote", true):
            quoteDepth = max(0, quoteDepth - 1)
            block()
        case ("ul", false), ("ol", false):
            if lists.isEmpty { block() } else { lineBreak() }
            lists.append((tag.name == "ol", 0))
        case ("ul", true), ("ol", true):
            // Ink passes raw HTML through, so a body may close a list it never opened.
            guard !lists.isEmpty else { break }
            lists.removeLast()
            if lists.isEmpty { block() } else { lineBreak() }
        case ("li", false):
            lineBreak()
            guard !lists.isEmpty else { break }
            lists[lists.count - 1].counter += 1
            let list = lists[lists.count - 1]
            let indent = String(repeating: "  ", count: lists.count - 1)
            write(indent + (list.ordered ? "\(list.counter). " : "- "))
        case ("li", true), ("tr", true):
            lineBreak()
        case ("td", false), ("th", false):
            if !output.isEmpty && !endsLine { write(" | ") }
        case ("br", _):
            lineBreak()
        case ("hr", _):
            block()
            write("----")
            block()
        case ("pre", let closing):
            block()
            preformatted = !closing
        case ("a", false):
            links.append(tag.attribute("href"))
            linkTextStart = output.utf8.count
        case ("a", true):
            closeLink()
        case ("img", _):
            if let alt = tag.attribute("alt"), !alt.isEmpty { write("[\(alt)]") }
        default:
            break  // strong, em, code, s, span: their text is enough
        }
    }

    mutating func text(_ text: String) {
        if preformatted {
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if index > 0 { lineBreak() }
                write(String(line))
            }
            return
        }
        // Markdown's soft line breaks and indentation are not meant to show (nor the CR of a CRLF in raw HTML that
        // Ink passes through). White space is ASCII, so the runs are collapsed byte by byte.
        var text = text
        let afterLineStart = atLineStart
        let collapsed = text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { output in
                var count = 0
                var afterSpace = afterLineStart
                for byte in bytes {
                    if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
                        || byte == UInt8(ascii: "\r")
                    {
                        if !afterSpace {
                            output[count] = UInt8(ascii: " ")
                            count += 1
                        }
                        afterSpace = true
                    } else {
                        output[count] = byte
                        count += 1
                        afterSpace = false
                    }
                }
                return count
            }
        }
        write(collapsed)
    }

    mutating func finish() -> String {
        var result = output
        while result.utf8.last == UInt8(ascii: " ") || result.utf8.last == UInt8(ascii: "\n") {
            result.unicodeScalars.removeLast()
        }
        return result + "\n"
    }

    private var atLineStart: Bool { pendingBreaks > 0 || output.isEmpty || endsLine }

    /// Whether the output ends a line, looked at as a byte: as characters it would take a grapheme break test.
    private var endsLine: Bool { output.utf8.last == UInt8(ascii: "\n") }

    private mutating func closeLink() {
        guard let href = links.popLast(), let start = linkTextStart else { return }
        linkTextStart = nil
        let label = String(
            PlainText.trimmingHorizontalSpace(output[output.utf8.index(output.startIndex, offsetBy: start)...]))
        let shownURL = href.flatMap { $0.hasPrefix("mailto:") ? String($0.dropFirst(7)) : $0 }
        guard let href, let shownURL, !href.isEmpty, label != shownURL, label != href else { return }
        write(label.isEmpty ? shownURL : " (\(href))")
    }

    private mutating func block() {
        if !output.isEmpty { pendingBreaks = max(pendingBreaks, 2) }
    }

    private mutating func lineBreak() {
        if !output.isEmpty { pendingBreaks = max(pendingBreaks, 1) }
    }

    private mutating func write(_ text: String) {
        guard !text.isEmpty else { return }
        if pendingBreaks > 0 {
            while output.utf8.last == UInt8(ascii: " ") { output.unicodeScalars.removeLast() }
            // The spaces may have been before an open link's text (`<pre>  <a><ol>`): it now begins where they did.
            // Left past the end, its start crashed the process at the link's end.
            if let start = linkTextStart { linkTextStart = min(start, output.utf8.count) }
            output += String(repeating: "\n", count: pendingBreaks)
            pendingBreaks = 0
        }
        if quoteDepth > 0, output.isEmpty || endsLine {
            output += String(repeating: "> ", count: quoteDepth)
        }
        output += text
    }
}

enum Entities {
    static func decode(_ text: some StringProtocol) -> String {
        // Most text has no reference: looked for in the UTF-8 in place, not through the view's iterator.
        let ampersand = UInt8(ascii: "&")
        let hasReference =
            text.utf8.withContiguousStorageIfAvailable { $0.contains(ampersand) } ?? text.utf8.contains(ampersand)
        guard hasReference else { return String(text) }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.prefix(10).firstIndex(of: ";") else {
                result.append("&")
                rest = rest.dropFirst()
                continue
            }
            let name = rest[rest.index(after: rest.startIndex)..<semicolon]
            if let decoded = decodeEntity(name) {
                result += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result.append("&")
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    private static func decodeEntity(_ name: Substring) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return "\u{A0}"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value =
                digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}
