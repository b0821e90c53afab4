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

    /// The entities Ink writes in attribute values.
    static func decodingEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
