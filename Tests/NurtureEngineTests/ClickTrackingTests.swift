import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureStore
import NurtureTestSupport
import Testing

/// Links in emails become signed redirects; a click is recorded, may alert the owner, and may re-enroll.
struct ClickTrackingTests {
    static let signer = LinkSigner(secret: Fixture.secret)

    /// Every `/c/` link in a message's parts, with what its token says.
    static func clicks(in parsed: ParsedMessage) -> [LinkClick] {
        parsed.parts.flatMap { part in
            part.content.matches(of: /https:\/\/go\.acme\.example\/c\/([A-Za-z0-9_-]+)/).compactMap {
                signer.verifyClickToken(String($0.1))
            }
        }
    }

    @Test func everyWebLinkOfABodyBecomesASignedRedirectToExactlyThatLink() throws {
        let campaigns = try Fixture.folder([
            "links.yml": """
            id: links
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: guide, wait: 0, email: { subject: Hi, body: guide.md } }

            """,
            "guide.md": """
            Read [the guide](https://acme.example/guide?utm_source=nurture&x=1#part-2), \
            see <https://acme.example/pricing>, or write to [us](mailto:sales@acme.example).

            """,
        ])
        let (step, campaign) = try Fixture.step("guide", in: campaigns, of: "links")
        let composed = try Fixture.composer().compose(step, of: campaign, for: try Fixture.sam())
        let parsed = try PythonEmailParser.parse(bytes: composed.message.bytes)
        let urls = Set(Self.clicks(in: parsed).map(\.url))
        #expect(urls == ["https://acme.example/guide?utm_source=nurture&x=1#part-2", "https://acme.example/pricing"])
        #expect(Self.clicks(in: parsed).allSatisfy { $0.email.description == "sam@example.com" && $0.step == "guide" })
        for part in parsed.parts {
            #expect(!part.content.contains("https://acme.example/guide"), "\(part.contentType) has the bare link")
            #expect(part.content.contains("mailto:sales@acme.example") || part.contentType == "text/plain")
            #expect(part.content.contains("https://go.acme.example/u/"), "the unsubscribe link stays ours, untracked")
        }
    }

    @Test func aLinkWithProspectValuesAndABodysOwnUnsubscribeLinkStayExact() throws {
        let campaigns = try Fixture.folder([
            "links.yml": """
            id: links
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: book, wait: 0, email: { subject: Hi, body: book.md } }

            """,
            "book.md": """
            [Book a call](https://acme.example/book?who={{email}}&co={{company}}) or [leave]({{unsubscribe_url}}).

            """,
        ])
        let (step, campaign) = try Fixture.step("book", in: campaigns, of: "links")
        let prospect = try Fixture.prospect("sam.o-neil@example.com", ["company": "Init-tech_Co."])
        let composed = try Fixture.composer().compose(step, of: campaign, for: prospect)
        let parsed = try PythonEmailParser.parse(bytes: composed.message.bytes)
        #expect(
            Set(Self.clicks(in: parsed).map(\.url)) == [
                "https://acme.example/book?who=sam.o-neil@example.com&co=Init-tech_Co."
            ])
        // The body's own unsubscribe link stays ours, untracked, and reads (entities decoded) as the header's.
        let html = try #require(parsed.parts.first { $0.contentType == "text/html" }).content
        let decoded = html.replacing(/&#(\d+);/) { match in
            String(Character(Unicode.Scalar(UInt32(match.1)!)!))
        }
        #expect(decoded.contains("href=\"\(try Fixture.unsubscribeLink(parsed.listUnsubscribe))\""))
    }

    @Test func aClickIsRecordedWithItsStepAndAQuietProspectEarnsOneAlert() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        let activity = LinkActivity(
            store: engine.store, catalog: engine.catalog, clock: engine.clock, settings: EngineSettings())
        let click = LinkClick(
            email: try EmailAddress("pat@example.com"), campaign: "web-lead-followup", step: "thanks",
            url: "https://acme.example/guide")

        // A click the day they enrolled: not quiet, sequence running. No alert.
        #expect(try activity.click(click).alert == nil)
        let events = try engine.store.events(prospectID: try engine.prospectID("pat@example.com"))
        #expect(events.map(\.kind) == [.click])
        #expect(events.first?.stepID == "thanks")
        #expect(events.first?.detail == "https://acme.example/guide")

        // Forty days without a click or reply: the next click alerts.
        engine.clock.advance(by: 40 * .day)
        let quiet = try #require(try activity.click(click).alert)
        #expect(quiet.reason == "clicked after 40 days without a click or reply")
        #expect(quiet.campaign.id == "web-lead-followup")
    }

    @Test func ownerAlertsAreSentRecordedAndRateLimitedPerProspect() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        let prospect = try #require(try engine.store.prospect(email: EmailAddress("pat@example.com")))
        let (step, campaign) = try Fixture.step("thanks", of: "web-lead-followup")
        let alerts = OwnerAlerts(
            store: engine.store, clock: engine.clock, settings: EngineSettings(), composer: Fixture.composer(),
            transport: engine.transport)

        let first = try alerts.alert(
            "Pat just clicked", text: "now", about: prospect, step: step, of: campaign, why: "w")
        guard case .sent = first else {
            Issue.record("\(first)")
            return
        }
        engine.clock.advance(by: 3600)
        let second = try alerts.alert("again", text: "now", about: prospect, step: step, of: campaign, why: "w")
        #expect(second == .rateLimited(since: EngineHarness.monday))
        engine.clock.advance(by: .day)
        guard case .sent = try alerts.alert("later", text: "now", about: prospect, step: step, of: campaign, why: "w")
        else {
            Issue.record("a day later the owner hears again")
            return
        }

        #expect(try engine.subjects(to: "dana@acme.example") == ["Nurture: Pat just clicked", "Nurture: later"])
        let recorded = try engine.store.events(prospectID: prospect.id).filter { $0.kind == .ownerAlert }
        #expect(recorded.count == 2)
        #expect(recorded.first?.detail?.hasPrefix("w; sent to dana@acme.example: 250") == true)
    }

    @Test func aClickAfterTheSequenceEndedAlertsAndEnrollsInTheOnClickCampaign() throws {
        let campaigns = try Fixture.folder([
            "first.yml": """
            id: first
            from: dana@acme.example
            owner: dana@acme.example
            on_click: { enroll: again }
            steps:
              - { id: one, wait: 0, email: { subject: One, body: body.md } }

            """,
            "again.yml": """
            id: again
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: back, wait: 1 day, email: { subject: Back, body: body.md } }

            """,
            "body.md": "See [this](https://acme.example/x).\n",
        ])
        let engine = try EngineHarness(campaigns: campaigns)
        try engine.enroll("pat@example.com", in: "first")
        try engine.advance(by: 1)
        let pat = try engine.prospectID("pat@example.com")
        #expect(try engine.store.enrollments(prospectID: pat).map(\.status) == [.completed])

        let activity = LinkActivity(
            store: engine.store, catalog: engine.catalog, clock: engine.clock, settings: EngineSettings())
        let outcome = try activity.click(
            LinkClick(
                email: try EmailAddress("pat@example.com"), campaign: "first", step: "one",
                url: "https://acme.example/x"))
        #expect(outcome.alert?.reason == "clicked after their sequences ended")
        #expect(outcome.enrolled == "again")
        #expect(try engine.store.enrollments(prospectID: pat).map(\.campaignID) == ["first", "again"])

        // Clicking again does not enroll them in `again` a second time.
        let twice = try activity.click(
            LinkClick(
                email: try EmailAddress("pat@example.com"), campaign: "first", step: "one",
                url: "https://acme.example/x"))
        #expect(twice.enrolled == nil)

        // Someone who replied is talking to the rep: a click never puts them back into automation.
        try engine.enroll("sam@example.com", in: "first")
        _ = try engine.actions.record(.reply, for: try EmailAddress("sam@example.com"), source: "test")
        let replied = try activity.click(
            LinkClick(
                email: try EmailAddress("sam@example.com"), campaign: "first", step: "one",
                url: "https://acme.example/x"))
        #expect(replied.enrolled == nil)

        // A suppressed address is never enrolled again by a click.
        _ = try engine.actions.record(.unsubscribe, for: try EmailAddress("pat@example.com"), source: "test")
        let afterUnsubscribe = try activity.click(
            LinkClick(
                email: try EmailAddress("pat@example.com"), campaign: "first", step: "one",
                url: "https://acme.example/x"))
        #expect(afterUnsubscribe.enrolled == nil)
    }

    @Test func unsubscribingByLinkSuppressesEndsEverythingAndIsIdempotent() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        let activity = LinkActivity(
            store: engine.store, catalog: engine.catalog, clock: engine.clock, settings: EngineSettings())
        let pat = try EmailAddress("pat@example.com")
        #expect(try activity.unsubscribe(pat, from: "web-lead-followup", oneClick: true))
        #expect(try engine.store.suppression(email: pat)?.reason == "unsubscribe")
        #expect(
            try engine.store.enrollments(prospectID: engine.prospectID("pat@example.com")).map(\.status) == [.stopped])
        #expect(try !activity.unsubscribe(pat, from: "web-lead-followup", oneClick: false))
        let events = try engine.store.events(prospectID: engine.prospectID("pat@example.com"))
        #expect(events.map(\.kind) == [.unsubscribe], "the second use recorded nothing")
        #expect(events.first?.source == "one-click")
        try engine.advance(by: 30 * .day)
        #expect(try engine.subjects(to: "pat@example.com").isEmpty)
    }
}
