/// Replaces the targets of the links in an HTML fragment that Ink produced (`<a href="...">`), for click tracking.
/// A scan rather than a regular expression: a regex built and run per message was a fifth of a send's CPU.
enum LinkRewriter {
    private static let opening = Array(#"<a href=""#.utf8)

    /// - Parameter replacement: given a link's URL (entities decoded), the URL to use instead, or nil to keep it.
    static func rewrite(_ html: String, _ replacement: (String) -> String?) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 256)
        var copied = 0
        var index = 0
        while let start = bytes.firstIndex(of: opening, from: index) {
            let urlStart = start + opening.count
            guard let quote = bytes[urlStart...].firstIndex(of: UInt8(ascii: "\"")) else { break }
            index = quote + 1
            let url = decodingEntities(String(decoding: bytes[urlStart..<quote], as: UTF8.self))
            guard isWeb(url), let tracked = replacement(url) else { continue }
            output += bytes[copied..<urlStart]
            output += HTMLDocument.escape(tracked).utf8
            copied = quote
        }
        guard copied > 0 else { return html }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    private static let webSchemes = [Array("https://".utf8), Array("http://".utf8)]

    /// Whether the URL starts with `http://` or `https://`, in any case. Compared byte by byte: a `lowercased()`
    /// copy and `hasPrefix` (which compares characters) cost more than the rest of the scan.
    static func isWeb(_ url: String) -> Bool {
        webSchemes.contains { scheme in
            url.utf8.count >= scheme.count
                && zip(url.utf8, scheme).allSatisfy { byte, expected in byte.lowercasedASCII == expected }
        }
    }

    /// The URL a browser would follow: every character reference decoded, named (`&amp;`) and numeric (`&#46;`,
    /// `&#x2E;`), as the template's escaping of prospect values writes them.
    static func decodingEntities(_ text: String) -> String {
        // Byte by byte: `contains` with a string argument is Foundation's `range(of:)`, a search by characters.
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        return Entities.decode(Substring(text))
    }
}

/// Markdown autolinks (`<https://...>`) made into ordinary links before Ink reads them.
enum Autolinks {
    private static let schemes = ["https:", "http:", "mailto:"].map { Array($0.utf8) }

    /// Ink reads `<https://...>` as raw HTML and swallows the rest of the paragraph; make it `[url](url)` first.
    /// The target runs to the next `>` and may hold no `<` and no white space.
    static func expand(_ markdown: String) -> String {
        guard markdown.utf8.contains(UInt8(ascii: "<")) else { return markdown }
        let scalars = Array(markdown.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "<", let end = autolinkEnd(scalars, from: index + 1) {
                let url = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                output.append(contentsOf: "[\(url)](\(url))".unicodeScalars)
                index = end + 1
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }

    /// The index of the `>` closing an autolink whose target starts at `start`, if one does.
    private static func autolinkEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard
            let scheme = schemes.first(where: { scheme in
                start + scheme.count <= scalars.count
                    && zip(scheme, scalars[start...]).allSatisfy { UInt32($0) == $1.value }
            })
        else { return nil }
        let target = start + scheme.count
        var index = target
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == ">" { return index > target ? index : nil }
            if scalar == "<" || scalar.properties.isWhitespace { return nil }
            index += 1
        }
        return nil
    }
}

extension UInt8 {
    /// An ASCII capital as its small letter; any other byte as it is.
    var lowercasedASCII: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self
    }
}

extension Collection where Element == UInt8 {
    /// The first index at or after `start` where `needle` begins.
    func firstIndex(of needle: [UInt8], from start: Index) -> Index? {
        guard let first = needle.first else { return nil }
        var index = start
        while let candidate = self[index...].firstIndex(of: first) {
            if self[candidate...].starts(with: needle) { return candidate }
            index = self.index(after: candidate)
        }
        return nil
    }
}
