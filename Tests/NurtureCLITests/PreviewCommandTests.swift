import Foundation
import NurtureTestSupport
import Testing

struct PreviewCommandTests {
    static let sampleSteps: [(campaign: String, step: String)] = [
        ("web-lead-followup", "thanks"), ("web-lead-followup", "call-now"), ("web-lead-followup", "value"),
        ("web-lead-followup", "case-study"), ("web-lead-followup", "linkedin"), ("web-lead-followup", "check-in"),
        ("web-lead-followup", "breakup"), ("monthly-nurture", "month-1"), ("monthly-nurture", "month-2"),
        ("monthly-nurture", "month-3"), ("monthly-nurture", "month-4"), ("re-engagement", "new-since"),
        ("re-engagement", "offer"), ("re-engagement", "call"), ("re-engagement", "close-the-loop"),
    ]

    /// The sample campaigns, with state (the link secret) in a folder of the test's own.
    let folder: TemporaryCampaigns

    init() throws {
        folder = try TemporaryCampaigns([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n"
        ])
    }

    func preview(_ arguments: [String]) throws -> NurtureProcess.Result {
        try NurtureProcess.run(["preview", "--config", folder.path + "/nurture.yml"] + arguments)
    }

    @Test("every sample step previews as a message Python's strict parser accepts", arguments: sampleSteps)
    func everySampleStepPreviews(campaign: String, step: String) throws {
        let result = try preview([
            campaign, step, "--email", "sam@example.com", "--var", "first_name=Sam", "--var", "company=Initech",
            "--var", "phone=+1 555 0100",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try PythonEmailParser.parse(bytes: Array(result.stdoutBytes))
        #expect(parsed.defects == [])
        #expect(parsed.longestLine <= 998)
        #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
        #expect(!parsed.subject.contains("{{"))
        #expect(!parsed.parts[0].content.contains("{{"))
        let isTask = ["call-now", "linkedin", "call"].contains(step)
        if isTask {
            #expect(parsed.subject.hasPrefix("Task: "))
            #expect(parsed.to.address == "dana@acme.example")
            #expect(parsed.listUnsubscribe == nil)
        } else {
            #expect(parsed.to.address == "sam@example.com")
            #expect(parsed.listUnsubscribePost == "List-Unsubscribe=One-Click")
            #expect(parsed.listUnsubscribe?.contains("/u/") == true)
        }
    }

    @Test func aNonASCIINameAndSubjectSurviveTheRoundTrip() throws {
        let result = try preview([
            "web-lead-followup", "thanks", "--email", "jose@example.com", "--var", "first_name=José",
            "--var", "last_name=Ñúñez", "--var", "company=Café ☕ Ltd",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutBytes.allSatisfy { $0 < 0x80 }, "the message itself is 7-bit")
        let parsed = try PythonEmailParser.parse(bytes: Array(result.stdoutBytes))
        #expect(parsed.subject == "José, here is the pricing guide you asked for")
        #expect(parsed.to.displayName == "José Ñúñez")
        #expect(parsed.parts[0].content.contains("about two weeks for Café ☕ Ltd-sized teams"))
        #expect(parsed.parts[1].content.contains("Café ☕ Ltd-sized teams"))
    }

    @Test func aProspectFieldCarryingALineBreakIsRefusedInOneLine() throws {
        let result = try preview([
            "web-lead-followup", "thanks", "--email", "sam@example.com", "--var",
            "first_name=Sam\r\nBcc: all@example.com",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("nurture: error: "))
        #expect(result.stderr.contains("line break"))
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func aNameWithALineBreakInTheToHeaderIsRefused() throws {
        let result = try preview([
            "web-lead-followup", "value", "--email", "sam@example.com", "--var", "first_name=Sam\nX-Evil: 1",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("line break"))
    }

    @Test func aMissingVariableIsNamed() throws {
        let result = try preview(["web-lead-followup", "call-now", "--email", "sam@example.com"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("needs `{{phone}}`"))
    }

    @Test func unknownCampaignsAndStepsSuggestTheRightOne() throws {
        let campaign = try preview(["web-lead-folowup", "thanks", "--email", "sam@example.com"])
        #expect(campaign.status == 1)
        #expect(
            campaign.stderr == "nurture: error: no campaign `web-lead-folowup`; did you mean `web-lead-followup`?\n")
        let step = try preview(["web-lead-followup", "thank", "--email", "sam@example.com"])
        #expect(
            step.stderr == "nurture: error: campaign `web-lead-followup` has no step `thank`; did you mean `thanks`?\n")
    }

    @Test func anInvalidEmailIsOneLine() throws {
        let result = try preview(["web-lead-followup", "thanks", "--email", "not-an-address"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("nurture: error: invalid email: `not-an-address` is not an email address"))
    }
}
