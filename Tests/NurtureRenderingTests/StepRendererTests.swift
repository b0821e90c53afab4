import Foundation
import NurtureCampaigns
import NurtureRendering
import NurtureTestSupport
import Testing

struct StepRendererTests {
    /// A one-step campaign whose body is `body`, loaded through the real loader.
    func campaign(subject: String = "Hi {{first_name}}", body: String, defaults: String = "{ first_name: there }")
        throws -> (Campaign, EmailStep, Step)
    {
        let yaml = """
            id: test
            from: "Dana <dana@acme.example>"
            owner: dana@acme.example
            defaults: \(defaults)
            steps:
              - id: one
                wait: 0
                email: { subject: "\(subject)", body: body.md }

            """
        // The loader reads the body as it loads: the folder may go once the campaign is loaded.
        let folder = try TemporaryFolder(["test.yml": yaml, "body.md": body])
        let (campaign, diagnostics) = CampaignLoader.load(file: folder.url.appendingPathComponent("test.yml").path)
        let loaded = try #require(campaign, "\(diagnostics)")
        let step = try #require(loaded.steps.first, "the campaign loaded without its step")
        let email: EmailStep? = if case .email(let email) = step.action { email } else { nil }
        return (loaded, try #require(email, "step `one` loaded as a task, not an email"), step)
    }

    @Test func variablesAreEscapedInHTMLButNotInTextOrSubject() throws {
        let (campaign, email, step) = try campaign(body: "Hello {{company}}!")
        let rendered = try StepRenderer().renderEmail(
            email, step: step, of: campaign, values: ["first_name": "<b>Ann</b>", "company": "Smith & <Sons>"])
        #expect(rendered.subject == "Hi <b>Ann</b>")
        #expect(rendered.html.contains("<p>Hello Smith &amp; &lt;Sons&gt;!</p>"))
        #expect(!rendered.html.contains("<Sons>"))
        #expect(rendered.text == "Hello Smith & <Sons>!\n")
    }

    @Test func defaultsFillMissingAndEmptyValues() throws {
        let (campaign, email, step) = try campaign(body: "Hi {{first_name}}")
        let missing = try StepRenderer().renderEmail(email, step: step, of: campaign, values: [:])
        let empty = try StepRenderer().renderEmail(email, step: step, of: campaign, values: ["first_name": ""])
        #expect(missing.subject == "Hi there")
        #expect(empty.text == "Hi there\n")
    }

    @Test func aVariableWithNoValueAndNoDefaultIsAnErrorNamingIt() throws {
        let (campaign, email, step) = try campaign(body: "Your rep will call {{phone}}.")
        let error = #expect(throws: RenderError.self) {
            try StepRenderer().renderEmail(email, step: step, of: campaign, values: [:])
        }
        #expect(error?.variable == "phone")
        #expect(error?.description.contains("--var phone=") == true)
    }

    @Test func aSectionOverAMissingValueIsSkippedNotAnError() throws {
        let (campaign, email, step) = try campaign(body: "Hello.{{#phone}} Call {{phone}}.{{/phone}}")
        let rendered = try StepRenderer().renderEmail(email, step: step, of: campaign, values: [:])
        #expect(rendered.text == "Hello.\n")
    }

    @Test func markdownBecomesHTMLAndReadablePlainText() throws {
        let body = """
            # Welcome, {{first_name}}

            Read [the guide](https://acme.example/guide) or visit <https://acme.example>.

            - **one**
            - _two_

            1. first
            2. second

            > quoted words

            ---

            Bye
            """
        let (campaign, email, step) = try campaign(body: body)
        let rendered = try StepRenderer().renderEmail(email, step: step, of: campaign, values: ["first_name": "Ann"])
        #expect(rendered.html.contains(#"<a href="https://acme.example/guide">the guide</a>"#))
        #expect(rendered.html.contains("<strong>one</strong>"))
        #expect(rendered.html.hasPrefix("<!DOCTYPE html>"))
        #expect(
            rendered.text == """
                Welcome, Ann

                Read the guide (https://acme.example/guide) or visit https://acme.example.

                - one
                - two

                1. first
                2. second

                > quoted words

                ----

                Bye

                """)
    }

    @Test func theUnsubscribeLinkIsAppendedWhenTheBodyDoesNotPlaceIt() throws {
        let (campaign, email, step) = try campaign(body: "Hello")
        let url = "https://go.acme.example/u/abc"
        let rendered = try StepRenderer().renderEmail(
            email, step: step, of: campaign, values: ["unsubscribe_url": url])
        #expect(rendered.text.hasSuffix("To stop receiving these emails, unsubscribe (\(url)).\n"))
        #expect(rendered.html.contains(#"<a href="\#(url)">unsubscribe</a>"#))
    }

    /// The footer was Markdown under the body's, so whatever the body left open took it in: a raw element never
    /// closed (or a closing tag never opened) made it raw HTML, an open code fence made it code, and the message
    /// went out with its Markdown as text instead of a link to unsubscribe.
    @Test(arguments: ["Hello\n\n<div>open\n", "Hello\n\n</div>\n", "Hello <span>x\n", "```\ncode\n", "Hi\n<pre>\n"])
    func theUnsubscribeLinkIsALinkWhateverTheBodyLeavesOpen(body: String) throws {
        let (campaign, email, step) = try campaign(body: body)
        let url = "https://go.acme.example/u/abc"
        let rendered = try StepRenderer().renderEmail(
            email, step: step, of: campaign, values: ["unsubscribe_url": url])
        #expect(
            rendered.html.contains(#"<hr><p>To stop receiving these emails, <a href="\#(url)">unsubscribe</a>.</p>"#))
        #expect(rendered.text.hasSuffix("To stop receiving these emails, unsubscribe (\(url)).\n"))
        #expect(!rendered.html.contains("[unsubscribe]"))
    }
}
