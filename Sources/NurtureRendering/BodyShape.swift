import NurtureCampaigns

/// Ink's HTML for a body whose values are placeholders (`StandIn`), cut where the values go: every prospect whose
/// body has this shape gets the HTML an Ink run of their own would give, without one.
///
/// Exact or refused. A shape is only made where each placeholder stands so that an inert value (`StandIn.isInert`)
/// in its place reads as plain text to Ink and to the passes before it, and Ink itself shows, for each
/// placeholder, how it writes a value's character references there: as they are, or escaped in code.
struct BodyShape: Sendable {
    /// Where a value goes, and whether Ink wrote it as code, where it escapes the `&` of every reference.
    private struct Slot: Sendable {
        let index: Int
        let inCode: Bool
    }

    /// The HTML around the slots: one more than there are slots.
    private let literals: [String]
    private let slots: [Slot]
    /// Each placeholder in the Markdown, whether or not Ink kept it: every one's value must be inert.
    private let indices: [Int]

    /// - Parameters:
    ///   - markdown: the body as Mustache rendered it with placeholders.
    ///   - html: Markdown to HTML, the passes before Ink included.
    init?(markdown: String, html: (String) -> String) {
        // Link definitions and references look names up: a value would be more than text there. (Front matter,
        // which would drop `key: value` lines, never reaches Ink: see `FrontMatter`.)
        guard !markdown.contains("]["), !markdown.contains("]:"),
            let (marked, indices) = Self.marked(markdown), let (literals, slots) = Self.cut(html(marked))
        else { return nil }
        (self.literals, self.slots, self.indices) = (literals, slots, indices)
    }

    /// The HTML with these values in, `values[i]` for placeholder `i`; nil if one of them is not inert.
    func html(filling values: [String]) -> String? {
        var escaped = [String?](repeating: nil, count: values.count)
        for index in indices {
            guard index < values.count else { return nil }
            let value = values[index]
            // As Mustache escapes it for the Markdown.
            guard StandIn.isInert(value) else { return nil }
            escaped[index] = MarkdownEscaping().escapeText(value)
        }
        var html = literals[0]
        for (slot, literal) in zip(slots, literals.dropFirst()) {
            guard let value = escaped[slot.index] else { return nil }
            // What Ink writes in code for the text it reads there.
            html += slot.inCode ? HTMLDocument.escape(value, quotes: false) : value
            html += literal
        }
        return html
    }

    /// The Markdown with each placeholder `P` written `&P;`: a character reference, which Ink keeps as it is in text,
    /// link targets and HTML, and whose `&` it escapes in code, as it does with those of an escaped value.
    ///
    /// Nil unless every placeholder has ASCII on both sides, so that a value's first and last clusters stay whole,
    /// and no `<`, `&` or `\` before it in its word: a tag name, autolink, `<p`, reference or escape would read on
    /// into the value, where a space or a `;` of its own would end it.
    private static func marked(_ markdown: String) -> (String, [Int])? {
        var marked = String.UnicodeScalarView()
        var indices = Set<Int>()
        var readsOn = false
        var previous: Unicode.Scalar?
        let scalars = markdown.unicodeScalars
        var position = scalars.startIndex
        while position < scalars.endIndex {
            let scalar = scalars[position]
            let after = scalars.index(after: position)
            if let index = StandIn.index(of: scalar) {
                let next = after < scalars.endIndex ? scalars[after] : nil
                guard !readsOn, previous?.isASCII ?? true, next?.isASCII ?? true else { return nil }
                indices.insert(index)
                marked.append("&")
                marked.append(scalar)
                marked.append(";")
            } else {
                switch scalar {
                case " ", "\t", "\n", "\r": readsOn = false
                case "<", "&", "\\": readsOn = true
                default: break
                }
                marked.append(scalar)
            }
            previous = scalar
            position = after
        }
        return (String(marked), indices.sorted())
    }

    /// The HTML cut at each `&P;` (a value as it is) and `&amp;P;` (a value in code); nil if Ink wrote a
    /// placeholder any other way.
    private static func cut(_ html: String) -> ([String], [Slot])? {
        var literals: [String] = []
        var slots: [Slot] = []
        var literal = String.UnicodeScalarView()
        let scalars = html.unicodeScalars
        var position = scalars.startIndex
        while position < scalars.endIndex {
            let scalar = scalars[position]
            position = scalars.index(after: position)
            guard let index = StandIn.index(of: scalar) else {
                literal.append(scalar)
                continue
            }
            guard position < scalars.endIndex, scalars[position] == ";" else { return nil }
            position = scalars.index(after: position)
            let inCode = literal.hasSuffix("&amp;")
            guard inCode || literal.hasSuffix("&") else { return nil }
            literal.removeLast(inCode ? 5 : 1)
            literals.append(String(literal))
            literal = String.UnicodeScalarView()
            slots.append(Slot(index: index, inCode: inCode))
        }
        literals.append(String(literal))
        return (literals, slots)
    }
}

extension String.UnicodeScalarView {
    fileprivate func hasSuffix(_ suffix: String) -> Bool {
        let tail = suffix.unicodeScalars
        return self.suffix(tail.count).elementsEqual(tail)
    }
}
