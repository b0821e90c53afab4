extension InboundMessage {
    /// The first lines of what the person wrote, for the owner's "Dana replied" alert: quoted history,
    /// attribution lines ("On Mon, ... wrote:", "-----Original Message-----", Outlook's "From: ... Sent:"
    /// block) and signatures cut away; blank lines dropped; white space collapsed; control and invisible
    /// formatting characters removed; at most `maxLines` lines and `maxCharacters` characters (an ellipsis
    /// marks a cut). Empty when the message has no text of its own.
    public func replyExcerpt(maxLines: Int = 5, maxCharacters: Int = 500) -> String {
        ReplyExcerpt.excerpt(of: text ?? "", maxLines: maxLines, maxCharacters: maxCharacters)
    }
}

enum ReplyExcerpt {
    static func excerpt(of text: String, maxLines: Int, maxCharacters: Int) -> String {
        guard maxLines > 0, maxCharacters > 0 else { return "" }
        // Only the head of a long body can hold the excerpt; the rest is not even split into lines.
        let lines = text.prefix(20_000).split(separator: "\n", omittingEmptySubsequences: false)
        var kept: [String] = []
        for (index, line) in lines.enumerated() {
            if endsOwnText(line, next: lines[(index + 1)...].prefix(6)) { break }
            let trimmed = line.trimmingWhiteSpace()
            // Inline quotes: the person's own lines between them still count.
            if trimmed.hasPrefix(">") { continue }
            let clean = HeaderText.oneLine(trimmed)
            guard !clean.isEmpty else { continue }
            kept.append(clean)
            if kept.count == maxLines { break }
        }
        var excerpt = kept.joined(separator: "\n")
        if excerpt.count > maxCharacters {
            excerpt = String(excerpt.prefix(max(0, maxCharacters - 1))).trimmingWhiteSpace() + "…"
        }
        return excerpt
    }

    /// True when `line` starts the quoted history or the signature: nothing after it is the person's.
    private static func endsOwnText(_ line: Substring, next: ArraySlice<Substring>) -> Bool {
        // RFC 3676 §4.3's signature delimiter; "--" without the space is what many clients leave of it.
        if line == "-- " || line == "--" || line == "-- \r" { return true }
        let trimmed = line.trimmingWhiteSpace()
        let lowered = trimmed.lowercased()
        if separators.contains(where: { lowered.hasPrefix($0) }) { return true }
        // Outlook's reply separator is a line of underscores.
        if trimmed.count >= 20, trimmed.allSatisfy({ $0 == "_" }) { return true }
        if mobileSignatures.contains(where: { lowered.hasPrefix($0) }) { return true }
        if isAttribution(lowered, next: next) { return true }
        // Outlook's header block: "From: ..." followed within a few lines by "Sent: ..." (or its translations).
        if headerBlockStarts.contains(where: { lowered.hasPrefix($0) }) {
            let following = next.prefix(4).map { $0.trimmingWhiteSpace().lowercased() }
            if following.contains(where: { line in headerBlockFollowers.contains { line.hasPrefix($0) } }) {
                return true
            }
        }
        return false
    }

    /// "On Mon, 23 Nov 2026 at 14:35, Sam <sam@x> wrote:", possibly wrapped over two or three lines, and its
    /// German ("Am ... schrieb Sam <sam@x>:"), French, Spanish, Dutch, Italian and Portuguese forms: an opening
    /// word, a "wrote" verb somewhere, and a colon at the end.
    private static func isAttribution(_ lowered: String, next: ArraySlice<Substring>) -> Bool {
        guard attributionStarts.contains(where: { lowered.hasPrefix($0) }) else { return false }
        let joined = ([lowered] + next.prefix(2).map { $0.trimmingWhiteSpace().lowercased() })
        for count in 1...joined.count {
            let text = joined.prefix(count).joined(separator: " ")
            if text.hasSuffix(":"), attributionVerbs.contains(where: { text.contains($0) }) { return true }
        }
        return false
    }

    private static let separators = [
        "-----original message-----", "----- original message -----", "-------- original message --------",
        "-----ursprüngliche nachricht-----", "-----message d'origine-----", "-----mensaje original-----",
        "---------- forwarded message ---------", "-------- weitergeleitete nachricht --------",
        "begin forwarded message:",
    ]
    private static let mobileSignatures = [
        "sent from my iphone", "sent from my ipad", "sent from my android", "sent from my samsung",
        "sent from outlook for", "get outlook for", "sent from mail for windows", "von meinem iphone gesendet",
        "envoyé de mon iphone",
    ]
    private static let attributionStarts = ["on ", "am ", "le ", "el ", "op ", "il ", "em "]
    private static let attributionVerbs = [
        " wrote", " schrieb", " a écrit", " escribió", " geschreven", " ha scritto", " escreveu",
    ]
    private static let headerBlockStarts = ["from:", "von:", "de :", "de:", "van:", "da:"]
    private static let headerBlockFollowers = [
        "sent:", "date:", "gesendet:", "datum:", "envoyé :", "envoyé:", "enviado:", "verzonden:", "inviato:",
        "subject:", "betreff:", "objet :",
    ]
}
