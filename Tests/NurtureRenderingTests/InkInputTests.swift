import Foundation
import NurtureCampaigns
import NurtureRendering
import NurtureTestSupport
import Testing

/// Bodies that Ink cannot read in reasonable time, found by the rendering fuzzer. First: Ink's time doubles with
/// each level of nested `[`, so a body (or a prospect's `{{{value}}}`) with a few dozen of them stalled rendering
/// for hours.
struct InkInputTests {
    /// A line of brackets that would take Ink hours, were it to read them all.
    static let brackets = String(repeating: "[", count: 30)

    func render(_ body: String, values: [String: String] = [:]) throws -> RenderedEmail {
        try renderOneStepBody(body, values: values)
    }

    @Test(.timeLimit(.minutes(1))) func deeplyNestedBracketsRenderAtOnceAndReadAsTyped() throws {
        let brackets = String(repeating: "[", count: 40) + "x" + String(repeating: "]", count: 40)
        let rendered = try render("Before \(brackets) after.\n\n" + String(repeating: "[a ", count: 40) + "\n")
        #expect(rendered.text.contains("Before \(brackets) after."))
        #expect(rendered.text.contains(String(repeating: "[a ", count: 39) + "[a"))
    }

    @Test(.timeLimit(.minutes(1))) func aProspectValueInTripleBracesCannotStallRendering() throws {
        let value = String(repeating: "[", count: 40)
        let rendered = try render("Welcome, {{{company}}}!\n", values: ["company": value])
        #expect(rendered.text.contains("Welcome, \(value)!"))
    }

    @Test func linksBesideShallowBracketsStillWork() throws {
        let rendered = try render("[[[Notes]]] aside, read [the guide](https://acme.example/guide).\n")
        #expect(rendered.html.contains("[[[Notes]]] aside, read <a href=\"https://acme.example/guide\">the guide</a>."))
    }

    @Test func bracketsInCodeAreLeftAsWritten() throws {
        let nested = "[[[[[[[[1]]]]]]]]"
        let rendered = try render("```\n\(nested)\n```\n\nInline `\(nested)` too.\n")
        #expect(rendered.html.contains("\(nested)\n</code>"))
        #expect(rendered.html.contains("<code>\(nested)</code>"))
    }

    /// Found by the fuzzer again: two backticks are one code span to CommonMark but an empty span to Ink, so
    /// brackets between two pairs of them went to Ink unlimited, taken for code (thirteen took minutes). A
    /// prospect's `{{{value}}}` could bring them.
    @Test(.timeLimit(.minutes(1))) func bracketsBetweenDoubledBackticksAreLimitedAsInkReadsThem() throws {
        let rendered = try render(
            "Notes: {{{notes}}}\n", values: ["notes": "``\(Self.brackets)``\n\(Self.brackets)"])
        #expect(rendered.text.contains(Self.brackets))
        #expect(rendered.html.contains("<code></code>"))
    }

    /// Found next, reading Ink's parser for that fix: the limit read code blocks and paragraph ends as CommonMark
    /// does, and where Ink reads text instead, brackets reached it unlimited. Ink opens no code block with tildes,
    /// takes a fence indented under a paragraph line, or any under a list item, into that text, closes a block
    /// only at exactly its own run of backticks unindented, reads on as text after the closing run, and ends a
    /// paragraph only at an empty line, not one of spaces.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            "~~~\n\(brackets)\n~~~", "Para\n   ```\n\(brackets)\n```", "- item\n```\n\(brackets)\n```",
            "```\ncode\n  ```\n\n```\n\(brackets)\n```", "```\ncode\n```\(brackets)",
            "```\ncode\n````\n\n```\n\(brackets)",
            String(repeating: "[[[[\n  \n", count: 8) + "x",
        ])
    func bracketsWhereOnlyCommonMarkSeesCodeOrANewParagraphAreLimited(body: String) throws {
        let rendered = try render("{{{notes}}}\n", values: ["notes": body])
        #expect(rendered.text.filter { $0 == "[" }.count == body.filter { $0 == "[" }.count)
    }

    /// Found by the same fuzzer: Ink looped forever on a `<p` that no `>` follows.
    @Test(.timeLimit(.minutes(1)), arguments: ["Save <plenty", "x <P", "<p"])
    func aParagraphTagNeverClosedRendersAsText(body: String) throws {
        let rendered = try render(body + "\n")
        #expect(rendered.text.contains(body))
    }

    /// Found by the fuzzer on 2026-12-08: Ink loops just the same on `\<p` with a `>` after it, a backslash right
    /// before the `<`; the escaped `<` reads as text, as the backslash meant.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            ("\\<pre>    <a>l>u</a></ol></pre>", "<pre>"), ("Save \\<plenty", "Save <plenty"), ("*\\<p>x*", "<p>x"),
            ("a \\\\<P>b", "<P>b"),
        ])
    func aParagraphTagAfterABackslashRendersAsText(body: String, text: String) throws {
        let rendered = try render("{{{notes}}}\n", values: ["notes": body])
        #expect(rendered.text.contains(text))
    }

    @Test func aClosedParagraphTagIsStillHTML() throws {
        let rendered = try render("<p>Hello</p>\n")
        #expect(rendered.html.contains("<p>Hello</p>"))
    }

    /// Found while making bodies render once per shape: Ink reads a body whose first block is a `---` line as
    /// front matter. It crashed the process when the body ended in white space after a line with no `:`, and
    /// otherwise dropped everything up to the next `---` (the unsubscribe footer's).
    @Test(arguments: [
        "---\nHello\n \n", "\n  ---\nHello\n\n", "[site]: https://acme.example\n---\nHello\n \n", "---\nHello",
    ])
    func aBodyOpeningWithARuleIsARuleAndItsText(body: String) throws {
        let rendered = try render(body)
        #expect(rendered.html.contains("<hr><p>Hello</p>"))
        #expect(rendered.text.contains("Hello"))
    }

    @Test func aBodyOpeningWithARuleKeepsItsLinesBeforeTheFooter() throws {
        let rendered = try render(
            "---\nWelcome: glad you came\n", values: ["unsubscribe_url": "https://acme.example/u/x"])
        #expect(rendered.html.contains("<hr><p>Welcome: glad you came</p>"))
        #expect(rendered.html.contains("<a href=\"https://acme.example/u/x\">unsubscribe</a>"))
    }

    /// Only an opening `---` line is front matter to Ink; other rules, and dashes that are text, stay as written.
    @Test func otherDashesAreLeftAsWritten() throws {
        #expect(try render("Hi\n\n---\n\nBye\n").html.contains("<p>Hi</p><hr><p>Bye</p>"))
        #expect(try render("----\nHello\n").html.contains("<hr><p>Hello</p>"))
        #expect(try render("[not a definition] --- \n---\n").html.contains("[not a definition] ---"))
    }
}
