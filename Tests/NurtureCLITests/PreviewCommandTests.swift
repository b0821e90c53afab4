import Foundation
import NurtureCampaigns
import NurtureTestSupport
import Testing

struct PreviewCommandTests {
    /// The campaigns shipped in `campaigns/`, as the loader reads them.
    static let samples = CampaignLoader.load(
        directory: NurtureProcess.packageRoot.appendingPathComponent("campaigns").path)

    /// Every step of every sample campaign, so a step added to a sample is previewed and sent by the tests at once.
    static let sampleSteps: [(campaign: String, step: String)] = samples.campaigns.flatMap { campaign in
        campaign.steps.map { (campaign.id, $0.id) }
    }

    /// The sample campaigns, with state (the link secret) in a folder of the test's own.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n"
        ])
    }

    func preview(_ arguments: [String]) throws -> ChildProcess.Result {
        try NurtureProcess.run(["preview", "--config", folder.path + "/nurture.yml"] + arguments)
    }

    /// Guards the parameterized tests below: were the samples not to load, they would run no case and pass.
    @Test func theSampleCampaignsLoadWithEmailAndTaskSteps() {
        #expect(Self.samples.diagnostics.map(\.description) == [])
        let steps = Self.samples.campaigns.flatMap(\.steps)
        #expect(steps.contains { $0.isEmail })
        #expect(steps.contains { !$0.isEmail })
    }

    @Test("every sample step previews as a message Python's strict parser accepts", arguments: sampleSteps)
    func everySampleStepPreviews(campaign: String, step: String) throws {
        let result = try preview([
            campaign, step, "--email", "sam@example.com", "--var", "first_name=Sam", "--var", "company=Initech",
            "--var", "phone=+1 555 0100",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        let parsed = try PythonEmailParser.parse(bytes: Array(result.stdout))
        #expect(parsed.defects == [])
        #expect(parsed.longestLine <= 998)
        #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
        #expect(!parsed.subject.contains("{{"))
        #expect(!parsed.parts[0].content.contains("{{"))
        let sample = try #require(Self.samples.campaign(id: campaign))
        if try #require(sample.step(id: step)).isEmail {
            #expect(parsed.to.address == "sam@example.com")
            #expect(parsed.listUnsubscribePost == "List-Unsubscribe=One-Click")
            #expect(parsed.listUnsubscribe?.contains("/u/") == true)
        } else {
            #expect(parsed.subject.hasPrefix("Task: "))
            #expect(parsed.to.address == sample.owner.address.description)
            #expect(parsed.listUnsubscribe == nil)
        }
    }

    @Test func aNonASCIINameAndSubjectSurviveTheRoundTrip() throws {
        let result = try preview([
            "web-lead-followup", "thanks", "--email", "jose@example.com", "--var", "first_name=José",
            "--var", "last_name=Ñúñez", "--var", "company=Café ☕ Ltd",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdout.allSatisfy { $0 < 0x80 }, "the message itself is 7-bit")
        let parsed = try PythonEmailParser.parse(bytes: Array(result.stdout))
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
        #expect(result.stderrText.hasPrefix("nurture: error: "))
        #expect(result.stderrText.contains("line break"))
        #expect(result.stderrText.filter { $0 == "\n" }.count == 1)
    }

    @Test func aNameWithALineBreakInTheToHeaderIsRefused() throws {
        let result = try preview([
            "web-lead-followup", "value", "--email", "sam@example.com", "--var", "first_name=Sam\nX-Evil: 1",
        ])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("line break"))
    }

    @Test func aMissingVariableIsNamed() throws {
        let folder = try TemporaryFolder([
            "campaigns/call.yml": """
            id: call
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: now, wait: 0, task: { subject: "Call {{first_name}} at {{phone}}" } }

            """,
            "nurture.yml": "state: ./var\n",
        ])
        let result = try NurtureProcess.run(
            [
                "preview", "call", "now", "--email", "sam@example.com", "--var", "first_name=Sam", "--config",
                folder.path + "/nurture.yml",
            ])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("needs `{{phone}}`"))
    }

    @Test func theCallTaskReadsWellWithoutAPhone() throws {
        let result = try preview([
            "web-lead-followup", "call-now", "--email", "sam@example.com", "--var", "first_name=Sam",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("Subject: Task: Call Sam within the hour"))
    }

    @Test func unknownCampaignsAndStepsSuggestTheRightOne() throws {
        let campaign = try preview(["web-lead-folowup", "thanks", "--email", "sam@example.com"])
        #expect(campaign.status == 1)
        #expect(
            campaign.stderrText == "nurture: error: no campaign `web-lead-folowup`; did you mean `web-lead-followup`?\n"
        )
        let step = try preview(["web-lead-followup", "thank", "--email", "sam@example.com"])
        #expect(
            step.stderrText
                == "nurture: error: campaign `web-lead-followup` has no step `thank`; did you mean `thanks`?\n")
    }

    @Test func anInvalidEmailIsOneLine() throws {
        let result = try preview(["web-lead-followup", "thanks", "--email", "not-an-address"])
        #expect(result.status == 1)
        #expect(result.stderrText.hasPrefix("nurture: error: invalid email: `not-an-address` is not an email address"))
    }
}
