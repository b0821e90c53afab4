import Testing

@testable import NurtureRendering

/// The hand-written scans do what the regular expressions they replaced did (kept here as the reference).
struct LinkScanTests {
    static let markdown = [
        "See <https://acme.example/guide> today.",
        "<http://a.example/x?y=1&z=2> and <mailto:dana@acme.example>",
        "Not links: <https:> <ftp://a.example> <HTTPS://upper.example> <https://a b> <https://a<b>",
        "Nested <<https://a.example>> and unclosed <https://a.example",
        "Unicode <https://例え.jp/パス> and é<https://e\u{301}.example>",
        "No angle brackets at all",
        "<", ">", "<>", "<https://x>",
        "<b>bold</b> <https://a.example/\u{00A0}nbsp> <https://a.example/\ttab>",
    ]

    static func regexAutolinks(_ markdown: String) -> String {
        markdown.replacing(/<((?:https?|mailto):[^<>\s]+)>/) { match in "[\(match.1)](\(match.1))" }
    }

    @Test(arguments: markdown)
    func autolinksExpandAsTheRegexDid(text: String) {
        #expect(Autolinks.expand(text) == Self.regexAutolinks(text))
    }

    static let html = [
        #"<p><a href="https://a.example/x">x</a> and <a href="mailto:d@a.example">mail</a></p>"#,
        #"<a href="HTTP://A.example">caps</a><a href="https://b.example/?a=1&amp;b=2">amp</a>"#,
        #"<a href="">empty</a> <a href="https://unclosed.example"#,
        #"<p>no links</p>"#,
        #"<a href="https://é.example/ü">unicode</a>"#,
        #"<a href="hTtPs://Mixed.example">mixed</a><a href="ftp://f.example">ftp</a><a href="https:/one">one</a>"#,
        #"<a href="httpx://x.example">x</a><a href="http:">short</a><a href="HTTPS://">bare</a>"#,
    ]

    static func regexRewrite(_ html: String, _ replacement: (String) -> String?) -> String {
        html.replacing(/<a href="([^"]*)"/) { match in
            let url = LinkRewriter.decodingEntities(String(match.1))
            let lowered = url.lowercased()
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), let tracked = replacement(url) else {
                return String(match.0)
            }
            return "<a href=\"\(HTMLDocument.escape(tracked))\""
        }
    }

    @Test(arguments: html)
    func linksAreRewrittenAsTheRegexDid(text: String) {
        let track: (String) -> String? = { url in url.contains("b.example") ? nil : "https://t.example/c/\(url.count)&x"
        }
        #expect(LinkRewriter.rewrite(text, track) == Self.regexRewrite(text, track))
        #expect(LinkRewriter.rewrite(text, { _ in nil }) == text)
    }
}

struct HTMLEscapeTests {
    @Test(arguments: [
        ("plain text, é and 👋", true, "plain text, é and 👋"),
        (#"a & b < c > d "e""#, true, "a &amp; b &lt; c &gt; d &quot;e&quot;"),
        (#"a & b < c > d "e""#, false, #"a &amp; b &lt; c &gt; d "e""#),
        ("https://t.example/c/x?a=1&b=2", true, "https://t.example/c/x?a=1&amp;b=2"),
        // A quote or bracket that a combining mark follows still ends an attribute or opens a tag for a parser.
        ("\"\u{301}<\u{301}", true, "&quot;\u{301}&lt;\u{301}"),
    ])
    func theFourAreEscapedWhereverTheyStand(text: String, quotes: Bool, escaped: String) {
        #expect(HTMLDocument.escape(text, quotes: quotes) == escaped)
    }
}
