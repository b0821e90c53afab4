import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureTestSupport
import Testing

/// The signed link every campaign email carries, in its `List-Unsubscribe` header and at the foot of its body.
struct UnsubscribeLinkTests {
    static let emailSteps: [(campaign: String, step: String)] = Fixture.campaigns.campaigns.flatMap { campaign in
        campaign.steps.filter(\.isEmail).map { (campaign.id, $0.id) }
    }

    /// Guards the parameterized test below: were the samples not to load, it would run no case and pass.
    @Test func theSampleCampaignsHaveEmailSteps() {
        #expect(Fixture.campaigns.diagnostics.map(\.description) == [])
        #expect(!Self.emailSteps.isEmpty)
    }

    @Test(
        "the token of every sample email's link verifies back to exactly its prospect and campaign",
        arguments: emailSteps)
    func theTokenVerifiesToTheProspectAndCampaign(campaign: String, step: String) throws {
        let prospect = try Fixture.sam()
        let (_, parsed) = try Fixture.compose(step, of: campaign, for: prospect)
        let link = try Fixture.unsubscribeLink(parsed.listUnsubscribe)
        let verified = try #require(LinkSigner(secret: Fixture.secret).verifyUnsubscribeToken(Fixture.token(in: link)))
        #expect(verified.email == prospect.email)
        #expect(verified.campaign == campaign)
        #expect(parsed.listUnsubscribePost == "List-Unsubscribe=One-Click")
        #expect(try #require(parsed.parts.first).content.contains(link), "the body shows the same link as the header")
    }

    @Test func theTokenDoesNotVerifyWithAnotherSecret() throws {
        let (_, parsed) = try Fixture.compose("thanks", of: "web-lead-followup", for: try Fixture.sam())
        let token = try Fixture.token(in: Fixture.unsubscribeLink(parsed.listUnsubscribe))
        let otherSecret: [UInt8] = (0..<32).map { 255 - UInt8($0) }
        #expect(LinkSigner(secret: otherSecret).verifyUnsubscribeToken(token) == nil)
        #expect(LinkSigner(secret: Fixture.secret).verifyUnsubscribeToken(token) != nil)
    }

    @Test func twoProspectsGetDifferentTokens() throws {
        let (_, sam) = try Fixture.compose("thanks", of: "web-lead-followup", for: try Fixture.sam())
        let (_, ann) = try Fixture.compose(
            "thanks", of: "web-lead-followup", for: try Fixture.prospect("ann@example.com"))
        #expect(try Fixture.unsubscribeLink(sam.listUnsubscribe) != Fixture.unsubscribeLink(ann.listUnsubscribe))
    }

    @Test func aProspectsUnsubscribeURLAttributeCannotReplaceTheSignedLink() throws {
        let forged = "https://evil.example/u/forged"
        let prospect = try Fixture.sam(["unsubscribe_url": forged])
        let (_, parsed) = try Fixture.compose("thanks", of: "web-lead-followup", for: prospect)
        let link = try Fixture.unsubscribeLink(parsed.listUnsubscribe)
        #expect(LinkSigner(secret: Fixture.secret).verifyUnsubscribeToken(try Fixture.token(in: link)) != nil)
        for part in parsed.parts {
            #expect(part.content.contains(link), "\(part.contentType) shows the signed link")
            #expect(!part.content.contains("evil.example"), "\(part.contentType) shows the forged link")
        }
    }

    @Test func prospectAttributesCannotReplaceTheValuesNurtureProvides() throws {
        let folder = try TemporaryFolder([
            "provided.yml": """
            id: provided
            name: Provided values
            from: "Dana Reyes <dana@acme.example>"
            owner: dana@acme.example
            steps:
              - id: one
                wait: 0
                email: { subject: "News from {{campaign_name}}", body: body.md }

            """,
            "body.md": "{{campaign_name}} will stop at {{unsubscribe_url}} when you ask.\n",
        ])
        let loaded = CampaignLoader.load(directory: folder.path)
        let campaign = try #require(loaded.campaign(id: "provided"), "\(loaded.diagnostics)")
        let prospect = try Fixture.sam(["campaign_name": "Free money", "unsubscribe_url": "https://evil.example/u/x"])
        let composed = try Fixture.composer().compose(campaign.steps[0], of: campaign, for: prospect)
        let parsed = try PythonEmailParser.parse(composed.message)
        #expect(parsed.subject == "News from Provided values")
        let link = try Fixture.unsubscribeLink(parsed.listUnsubscribe)
        let text = try #require(parsed.parts.first).content
        #expect(text.contains("Provided values will stop at \(link) when you ask."))
        #expect(!text.contains("Free money"))
        #expect(!text.contains("evil.example"))
    }
}
