import Foundation
import Testing

@testable import NurtureCampaigns

/// Bodies and prospect values for comparing renders: the real bodies of the repository, and random ones built from
/// the Markdown that sits closest to a value (emphasis, links, code, HTML, tables, sections...).
enum BodyCorpus {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The sample campaigns' bodies, the campaign tests' and the rendering fuzzer's corpus (its body piece).
    static func realBodies() throws -> [String] {
        let folders = ["campaigns/bodies", "Tests/NurtureCampaignsTests/Corpus/bodies", "Fuzz/corpus/rendering"]
        var bodies: [String] = []
        for folder in folders {
            let url = root.appendingPathComponent(folder)
            let files = try #require(FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil))
            for case let file as URL in files where !file.hasDirectoryPath {
                let data = try Data(contentsOf: file)
                // A fuzzer input: subject, body and values, cut at 0xFF bytes.
                let pieces = data.split(separator: 0xFF, omittingEmptySubsequences: false)
                let body = pieces.count > 1 ? pieces[1] : data[...]
                bodies.append(String(decoding: body, as: UTF8.self))
            }
        }
        return bodies.sorted()
    }

    static let names = ["first_name", "company", "title"]

    /// Markdown with `V` and `W` where the names go.
    static let fragments = [
        "Hi V,", "Hello V and W.", "# Hello there, V", "## V ##", "#V", "# V #", "*V*", "_V_", "**V**", "__V__",
        "~~V~~", "***V***", "*V", "V*", "a*V*b", "[V](https://x.example/V)", "[link](https://x.example/?q=V&r=W)",
        "![V](https://x.example/V.png)", "`V`", "``V ` W``", "```\ncode V\nand W\n```", "```V\nx\n```",
        "```\nunclosed V", "    V indented", "<div>V</div>", "<a href=\"https://x.example/V\">W</a>", "<p>V</p>",
        "<V>x</V>", "<bV>x</b>", "<!-- V -->", "| a | b |\n|---|:-:|\n| V | W |", "|V|\n|-|", "- V\n- two",
        "1. V\n2. x",
        "V. item", "V) item", "* V", "+ V", "> V said\n> W", "<https://x.example/V>", "<mailto:V>", "&V;", "AT&T V",
        "&amp;V", "x&V", "\\V", "\\*V*", "Save <V", "<pV", "[V][ref]\n\n[ref]: https://x.example/V", "[x][V]",
        "[V]: https://x.example", "---\ntitle: V\n---", "{{#company}}at {{company}}{{/company}}",
        "{{^company}}no company{{/company}}", "{{#title}}V, {{title}}{{/title}}", "---", "***", "VW", "Vé", "éV",
        "V\u{301}", "V  \nnext", "V\\\nnext", "[[[[[V]]]]]", "{{{first_name}}}", "{{& company}}",
        "{{uppercased(first_name)}}", "[unsubscribe]({{unsubscribe_url}})", "Grüße V!", "V:", "V-sized", "(V)",
        "\"V\"", "V's", "1. V\nV. x", "- V\n  - W", "A | V | B", "V\n===", "Hi\nV", "Hi\n\nV\n\nBye", "~V~", "!V",
        "![V]", "[V]", "http://x.example/V", "{{! a comment V }}V", "\tV", "  V  ", "V\r\nW",
        // Scalars that join a cluster with what is beside them: a prepended mark, Hangul jamo, combining marks.
        "\u{600}V", "`\u{600}V`", "\u{1100}V", "V\u{1161}", "`V\u{301}`", "*V\u{301}*",
        "[x][V]\n\n[ann]: https://y.example",
    ]

    /// `fragment` with `V` and `W` replaced, scalar by scalar: a combining mark after `V` stays after the tag.
    static func filling(_ fragment: String, v: String, w: String) -> String {
        var filled = ""
        for scalar in fragment.unicodeScalars {
            switch scalar {
            case "V": filled += "{{\(v)}}"
            case "W": filled += "{{\(w)}}"
            default: filled.unicodeScalars.append(scalar)
            }
        }
        return filled
    }

    static func randomBody(using random: inout some RandomNumberGenerator) -> String {
        let separators = ["\n\n", "\n", " ", ""]
        var body = ""
        for index in 0..<Int.random(in: 1...6, using: &random) {
            if index > 0 { body += separators.randomElement(using: &random)! }
            body += filling(
                fragments.randomElement(using: &random)!, v: names.randomElement(using: &random)!,
                w: names.randomElement(using: &random)!)
        }
        return body + (Bool.random(using: &random) ? "\n" : "")
    }

    /// Names Ink reads as plain text, so that a message should reuse its shape's HTML.
    static let plainValues = [
        "Ann", "Bob", "Zoë", "José María", "Anne-Marie", "O'Brien", "Smith & Sons", "Ann2", "王小明",
    ]

    static let trickyValues = [
        "Acme Inc.", "*Ann*", "_x_", "<b>", "a<b", "A&B", "[x](y)", "x\\y", "#1", "3.", "-", "(Acme)", "x|y",
        "a~~b~~c", "`code`", "a;b", "&amp;", "a&#42;b", " Ann", "Ann ", "Ann  Lee", "Ann\nLee", "Ann\r\nLee",
        "Ann\tLee", "\n", " ", "Ann\u{A0}Lee", "Ann\u{2028}Lee", "三浦", "三", "김민수", "\u{1161}x", "e\u{301}",
        "\u{301}e", "Ann\u{301}", "x.\u{301}y", "\u{600}1", "👩‍💻 Dev", "Dev 👩‍💻", "مرحبا", "🇫🇷Fr", "Fr🇫🇷",
        "https://x.example/a?b=c&d=e", "http://a.example", "mailto:a@b.example", "42", "2nd", "\u{F0001}",
        "A\u{F0000}B", "paul", "Pat", "https", "a\u{0}b", "Ann:", "x.y", "a*b", "a_b_c", "p", "P", "\u{93F}x",
        "x\u{D4E}", "x\u{1100}", "A&B\u{1100}",
    ]

    static let unsubscribeLinks = [
        "https://go.acme.example/u/abc_DEF-123", "https://go.acme.example/u/x?y=1&z=2",
        "https://go.acme.example/u/(paren)", "https://go.acme.example/u/has space",
        "https://go.acme.example/u/<tag>", "https://go.acme.example/u/a\\b", "https://go.acme.example/u/`tick`",
        "https://go.acme.example/u/*star*_und_", "https://go.acme.example/u/é", "https://go.acme.example/u/a)b",
        "https://go.acme.example/u/a(b",
    ]

    static let defaultSets: [[String: String]] = [
        ["first_name": "there"], ["first_name": "there", "company": "your team"], ["company": "*Acme*"], [:],
    ]

    /// A prospect's values: each name plain, tricky, empty or missing, and the unsubscribe link usually there.
    static func randomValues(using random: inout some RandomNumberGenerator) -> [String: String] {
        var values: [String: String] = [:]
        for name in names {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5: values[name] = plainValues.randomElement(using: &random)!
            case 5..<8: values[name] = trickyValues.randomElement(using: &random)!
            case 8: values[name] = ""
            default: break
            }
        }
        if Int.random(in: 0..<10, using: &random) < 9 {
            values["unsubscribe_url"] =
                Bool.random(using: &random)
                ? "https://go.acme.example/u/\(UInt32.random(in: 0...UInt32.max, using: &random))"
                : unsubscribeLinks.randomElement(using: &random)!
        }
        return values
    }

    /// The same values with every plain one swapped for another plain one: the same shape, other words.
    static func otherPlainValues(_ values: [String: String], using random: inout some RandomNumberGenerator)
        -> [String: String]
    {
        values.mapValues { value in
            plainValues.contains(value) ? plainValues.filter { $0 != value }.randomElement(using: &random)! : value
        }
    }

    /// A one-step campaign around `body`, as the loader would have built it.
    static func campaign(body: String, defaults: [String: String]) throws -> (Campaign, EmailStep, Step)? {
        guard let body = try? Template(source: body, location: SourceLocation(file: "body.md", line: 1, column: 1))
        else { return nil }
        let base = try #require(base)
        let subject = try Template(
            source: "Hi {{first_name}}", location: SourceLocation(file: "test.yml", line: 1, column: 1))
        let email = EmailStep(subject: subject, body: body, bodyPath: "body.md")
        let step = Step(
            id: "one", timing: .after(.immediately), window: .any, action: .email(email), isBreakup: false,
            repliesInThread: false, skipIf: [], onlyIf: [],
            location: SourceLocation(file: "test.yml", line: 1, column: 1))
        let campaign = Campaign(
            id: base.id, name: base.name, from: base.from, replyTo: nil, owner: base.owner, timeZoneIdentifier: "UTC",
            sendWindow: .always, holidays: [], defaults: defaults, priority: 0, concurrent: false, maxLateness: nil,
            minimumGap: nil, steps: [step], onClickEnroll: nil, onClickLocation: nil, path: base.path)
        return (campaign, email, step)
    }

    /// A sample campaign, for its sender and owner.
    static let base = CampaignLoader.load(file: root.appendingPathComponent("campaigns/web-lead-followup.yml").path).0
}
