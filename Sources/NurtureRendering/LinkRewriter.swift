/// Replaces the targets of the links in an HTML fragment that Ink produced (`<a href="...">`), for click tracking.
enum LinkRewriter {
    /// - Parameter replacement: given a link's URL (entities decoded), the URL to use instead, or nil to keep it.
    static func rewrite(_ html: String, _ replacement: (String) -> String?) -> String {
        html.replacing(/<a href="([^"]*)"/) { match in
            let url = decodingEntities(String(match.1))
            let lowered = url.lowercased()
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), let tracked = replacement(url) else {
                return String(match.0)
            }
            return "<a href=\"\(HTMLDocument.escape(tracked))\""
        }
    }

    /// The URL a browser would follow: every character reference decoded, named (`&amp;`) and numeric (`&#46;`,
    /// `&#x2E;`), as the template's escaping of prospect values writes them.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return Entities.decode(Substring(text))
    }
}
