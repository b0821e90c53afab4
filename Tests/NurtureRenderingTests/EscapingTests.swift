import Foundation
import NurtureCampaigns
import NurtureRendering
import Testing

/// What a prospect typed into a web form must read as typed, never become markup in mail from our domain.
struct EscapingTests {
    func render(body: String, values: [String: String]) throws -> RenderedEmail {
        try renderOneStepBody(body, values: values)
    }

    @Test(arguments: [
        "[Claim your prize](https://evil.example)",
        "![x](https://evil.example/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "**bold** _it_ `code` ~~gone~~",
        "# Heading",
        "1. listed",
        "- bullet",
        "> quote",
        "a \\ backslash and \\\\ two",
        "Tom & Jerry's \"place\" | pipes {braces}",
    ])
    func aProspectValueIsTextInBothParts(value: String) throws {
        let rendered = try render(body: "Hello {{company}}, welcome.", values: ["company": value])
        #expect(rendered.text == "Hello \(value), welcome.\n")
        #expect(!rendered.html.contains("<a "))
        #expect(!rendered.html.contains("<img"))
        #expect(!rendered.html.contains("<strong>"))
        #expect(!rendered.html.contains("<h1>"))
        #expect(!rendered.html.contains("<code>"))
        #expect(!rendered.html.contains("<blockquote>"))
    }

    @Test func aVariableOutsideItsGuardingSectionStillNeedsAValue() throws {
        let body = "Hi {{first_name}},\n\n{{#first_name}}We know you.{{/first_name}}"
        let error = #expect(throws: RenderError.self) { try render(body: body, values: [:]) }
        #expect(error?.variable == "first_name")
    }

    @Test func aStrayClosingListTagDoesNotCrash() throws {
        let rendered = try render(body: "Hello</ul></ol></blockquote> there", values: [:])
        #expect(rendered.text.contains("Hello"))
    }

    @Test func listsCodeImagesAndMailtoLinksReadWellAsText() throws {
        let body = """
            - one
              - nested

            ```
            keep   spacing
            ```

            ![Acme logo](https://acme.example/logo.png) Write to [dana@acme.example](mailto:dana@acme.example).
            """
        let rendered = try render(body: body, values: [:])
        #expect(rendered.text.contains("- one"))
        #expect(rendered.text.contains("keep   spacing"))
        #expect(rendered.text.contains("[Acme logo]"))
        #expect(rendered.text.contains("Write to dana@acme.example."))
    }
}
