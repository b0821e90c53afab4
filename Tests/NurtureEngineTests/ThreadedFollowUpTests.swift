import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureTestSupport
import Testing

struct ThreadedFollowUpTests {
    @Test func aThreadStepRepliesToThePreviousEmail() throws {
        let folder = try TemporaryFolder([
            "bump.yml": """
            id: bump
            from: "Dana Reyes <dana@acme.example>"
            owner: dana@acme.example
            steps:
              - { id: intro, wait: 0, email: { subject: "Onboarding in a week", body: intro.md } }
              - { id: nudge, wait: 2 days, thread: true, email: { subject: "ignored when threading", body: nudge.md } }

            """,
            "intro.md": "Hi {{first_name}}, here is how teams onboard in a week.\n",
            "nudge.md": "Just bumping this up, {{first_name}}.\n",
        ])
        let engine = try EngineHarness(campaigns: CampaignLoader.load(directory: folder.path))
        try engine.enroll("pat@example.com", in: "bump")
        try engine.scheduler.runDue()
        try engine.advance(by: 2 * .day)
        let messages = try engine.transport.delivered.map { try PythonEmailParser.parse(bytes: $0.message) }
        #expect(messages.map(\.subject) == ["Onboarding in a week", "Re: Onboarding in a week"])
        let first = try #require(messages.first)
        let text = try #require(engine.transport.delivered.last).message
        let headers = String(decoding: text, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        #expect(headers.contains("In-Reply-To: \(first.messageId)"))
        #expect(headers.contains("References: \(first.messageId)"))
    }
}
