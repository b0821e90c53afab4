/// Text from the HTML that mail clients write (Gmail, Outlook, Apple Mail): tags dropped, blocks and `<br>`
/// as line breaks, `<blockquote>` lines prefixed with `> ` (so quoted history reads as quoted), entities
/// decoded, and `<head>`, `<style>`, `<script>` and comments skipped.
///
/// Not a conforming HTML parser, and not trying to be: it only has to find what a person wrote. It makes one
/// pass and never searches the same bytes twice, so unclosed tags or comments cost no more than closed ones.
enum HTMLText {
    static func text(fromHTML html: String) -> String {
        let bytes = Array(html.utf8)
        var writer = Writer()
        var index = 0
        // Past the last `>`, no `<` can start a tag: the rest is text, and nothing need be searched for.
        let lastClose = bytes.lastIndex(of: UInt8(ascii: ">")) ?? -1
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<"), index < lastClose else {
                if byte == UInt8(ascii: "&") {
                    let (decoded, length) = Entities.decode(bytes, at: index)
                    writer.text(decoded)
                    index += length
                } else {
                    writer.text(byte)
                    index += 1
                }
                continue
            }
            if bytes[index...].starts(with: "<!--".utf8) {
                index = end(of: "-->", in: bytes, from: index + 4)
                continue
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { break }
            let tag = Tag(bytes[(index + 1)..<close])
            index = close + 1
            if !tag.isClosing, tag.name == "style" || tag.name == "script" || tag.name == "head" || tag.name == "title"
            {
                index = end(of: "</\(tag.name)", in: bytes, from: index, caseInsensitive: true)
                continue
            }
            writer.tag(tag)
        }
        return writer.finish()
    }

    /// The index just past `marker` at or after `start`, or the end of `bytes` (an unclosed comment or
    /// style runs to the end, as browsers treat it).
    private static func end(of marker: String, in bytes: [UInt8], from start: Int, caseInsensitive: Bool = false)
        -> Int
    {
        let needle = Array(marker.utf8)
        guard let first = needle.first, start < bytes.count else { return bytes.count }
        var index = start
        while index + needle.count <= bytes.count {
            if lowered(bytes[index], caseInsensitive) == first {
                var matches = true
                for offset in 1..<needle.count where lowered(bytes[index + offset], caseInsensitive) != needle[offset] {
                    matches = false
                    break
                }
                if matches {
                    if caseInsensitive, let close = bytes[(index + needle.count)...].firstIndex(of: UInt8(ascii: ">")) {
                        return close + 1
                    }
                    return index + needle.count
                }
            }
            index += 1
        }
        return bytes.count
    }

    private static func lowered(_ byte: UInt8, _ caseInsensitive: Bool) -> UInt8 {
        caseInsensitive && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    struct Tag {
        let name: String
        let isClosing: Bool

        init(_ source: ArraySlice<UInt8>) {
            var body = source
            isClosing = body.first == UInt8(ascii: "/")
            if isClosing { body = body.dropFirst() }
            let name = body.prefix {
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
            }
            self.name = String(decoding: name, as: UTF8.self).lowercased()
        }
    }

    private struct Writer {
        private var lines: [[UInt8]] = []
        private var line: [UInt8] = []
        private var quoteDepth = 0
        private var pendingSpace = false

        mutating func tag(_ tag: Tag) {
            switch tag.name {
            case "br":
                breakLine(force: true)
            case "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr":
                breakLine(force: false)
            case "blockquote":
                breakLine(force: false)
                quoteDepth = max(0, quoteDepth + (tag.isClosing ? -1 : 1))
            case "td", "th":
                pendingSpace = !line.isEmpty
            default:
                break
            }
        }

        mutating func text(_ byte: UInt8) {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r")
            {
                pendingSpace = !line.isEmpty
                return
            }
            if pendingSpace {
                line.append(UInt8(ascii: " "))
                pendingSpace = false
            }
            if line.isEmpty, quoteDepth > 0 { line += Array(String(repeating: "> ", count: min(quoteDepth, 8)).utf8) }
            line.append(byte)
        }

        mutating func text(_ bytes: [UInt8]) {
            for byte in bytes { text(byte) }
        }

        /// A `<br>` always ends a line; a block tag ends one only if something is on it.
        private mutating func breakLine(force: Bool) {
            pendingSpace = false
            if line.isEmpty && !force { return }
            lines.append(line)
            line = []
        }

        mutating func finish() -> String {
            if !line.isEmpty { lines.append(line) }
            var text = lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
            while text.last == "\n" { text.removeLast() }
            return text
        }
    }
}

/// HTML character references: the named ones mail uses, and numeric ones.
enum Entities {
    /// The bytes the reference at `start` stands for and how many input bytes it took; a lone `&` is itself.
    static func decode(_ bytes: [UInt8], at start: Int) -> (bytes: [UInt8], length: Int) {
        let limit = min(bytes.count, start + 12)
        guard let semicolon = bytes[start..<limit].firstIndex(of: UInt8(ascii: ";")) else {
            return ([UInt8(ascii: "&")], 1)
        }
        let name = String(decoding: bytes[(start + 1)..<semicolon], as: UTF8.self)
        let scalar: Unicode.Scalar?
        switch name {
        case "amp": scalar = "&"
        case "lt": scalar = "<"
        case "gt": scalar = ">"
        case "quot": scalar = "\""
        case "apos", "#39": scalar = "'"
        case "nbsp": scalar = " "
        case "ndash": scalar = "\u{2013}"
        case "mdash": scalar = "\u{2014}"
        case "hellip": scalar = "\u{2026}"
        case "rsquo": scalar = "\u{2019}"
        case "lsquo": scalar = "\u{2018}"
        case "ldquo": scalar = "\u{201C}"
        case "rdquo": scalar = "\u{201D}"
        case "euro": scalar = "\u{20AC}"
        default:
            guard name.hasPrefix("#") else {
                scalar = nil
                break
            }
            let digits = name.dropFirst()
            let value =
                digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            scalar = value.flatMap(Unicode.Scalar.init)
        }
        guard let scalar else { return ([UInt8(ascii: "&")], 1) }
        return (Array(String(scalar).utf8), semicolon - start + 1)
    }
}
