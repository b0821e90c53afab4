import Foundation
import NurtureCampaigns
import NurtureRendering
import NurtureTestSupport
import Testing

/// Renders `body` as the Markdown body of a one-step campaign loaded from files, as the daemon would.
func renderOneStepBody(_ body: String, values: [String: String]) throws -> RenderedEmail {
    let yaml = """
        id: test
        from: dana@acme.example
        owner: dana@acme.example
        steps:
          - { id: one, wait: 0, email: { subject: "Hi", body: body.md } }

        """
    let folder = try TemporaryFolder(["test.yml": yaml, "body.md": body])
    let (loaded, diagnostics) = CampaignLoader.load(file: folder.url.appendingPathComponent("test.yml").path)
    let campaign = try #require(loaded, "\(diagnostics)")
    let step = try #require(campaign.steps.first)
    guard case .email(let email) = step.action else {
        Issue.record("step is not an email")
        throw CancellationError()
    }
    return try StepRenderer().renderEmail(email, step: step, of: campaign, values: values)
}
