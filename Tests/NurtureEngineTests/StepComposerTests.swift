import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureTestSupport
import Testing

/// Who a composed step goes to, from whom, and when it says it was written.
struct StepComposerTests {
    @Test func anEmailStepGoesToTheProspectWithTheCampaignsFromAndReplyTo() throws {
        let (step, campaign) = try Fixture.step("month-1", of: "monthly-nurture")
        let prospect = try Fixture.sam()
        let composed = try Fixture.composer().compose(step, of: campaign, for: prospect)
        let parsed = try PythonEmailParser.parse(composed.message)

        #expect(composed.message.envelopeTo == prospect.email)
        #expect(composed.message.envelopeFrom == campaign.from.address)
        #expect(parsed.to.nameAndAddress == "Sam Lee <sam@example.com>")
        #expect(parsed.from.nameAndAddress == "Acme Insights <insights@acme.example>")
        #expect(parsed.replyTo?.address == "dana@acme.example")
        #expect(parsed.extraHeaders == [["X-Nurture-Campaign", "monthly-nurture"], ["X-Nurture-Step", "month-1"]])
    }

    @Test func theDateHeaderIsTheClocksTimeWhenTheStepIsComposed() throws {
        let clock = ManualClock(Fixture.moment)
        let prospect = try Fixture.sam()
        let (_, first) = try Fixture.compose("thanks", of: "web-lead-followup", for: prospect, clock: clock)
        #expect(first.date == "Mon, 23 Nov 2026 14:35:18 +0000")

        clock.advance(by: 3 * 86_400 + 90 * 60)
        let (_, later) = try Fixture.compose("thanks", of: "web-lead-followup", for: prospect, clock: clock)
        let iso = try #require(later.dateIso)
        #expect(ISO8601DateFormatter().date(from: iso) == clock.now())
        #expect(later.date == "Thu, 26 Nov 2026 16:05:18 +0000")
    }

    @Test func aTaskStepGoesToTheOwnerWithReplyToTheProspect() throws {
        let prospect = try Fixture.sam()
        let (composed, parsed) = try Fixture.compose("call-now", of: "web-lead-followup", for: prospect)

        #expect(composed.message.envelopeTo.description == "dana@acme.example")
        #expect(parsed.to.nameAndAddress == "Dana Reyes <dana@acme.example>")
        #expect(parsed.replyTo?.nameAndAddress == "Sam Lee <sam@example.com>")
        #expect(parsed.subject == "Task: Call Sam at +1 555 0100 within the hour")
        #expect(parsed.listUnsubscribe == nil, "a reminder to the rep has no unsubscribe link")
    }

    @Test func aTaskCarriesTheProspectsPhoneAndCompanyInBothParts() throws {
        // `linkedin` uses neither in its own text: they can only come from the prospect's details.
        let (_, parsed) = try Fixture.compose("linkedin", of: "web-lead-followup", for: try Fixture.sam())
        #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
        for part in parsed.parts {
            #expect(part.content.contains("+1 555 0100"), "\(part.contentType)")
            #expect(part.content.contains("Initech"), "\(part.contentType)")
            #expect(part.content.contains("sam@example.com"), "\(part.contentType)")
        }
    }

    @Test func markupInAProspectAttributeIsShownNotInterpretedInATasksHTML() throws {
        let prospect = try Fixture.sam(["company": "Smith & <b>Sons</b>"])
        let (_, parsed) = try Fixture.compose("linkedin", of: "web-lead-followup", for: prospect)
        let text = try #require(parsed.parts.first)
        let html = try #require(parsed.parts.last)
        #expect(text.content.contains("Smith & <b>Sons</b>"))
        #expect(html.content.contains("Sons"))
        #expect(!html.content.contains("<b>"))
    }

    @Test func ownerInboxRedirectsATaskButNotAnEmail() throws {
        let inbox = Mailbox(displayName: "Me", address: try EmailAddress("me@acme.example"))
        let prospect = try Fixture.sam()

        let (task, taskMessage) = try Fixture.compose(
            "call-now", of: "web-lead-followup", for: prospect, ownerInbox: inbox)
        #expect(task.message.envelopeTo == inbox.address)
        #expect(taskMessage.to.nameAndAddress == "Me <me@acme.example>")
        #expect(taskMessage.replyTo?.address == "sam@example.com")

        let (email, _) = try Fixture.compose("thanks", of: "web-lead-followup", for: prospect, ownerInbox: inbox)
        #expect(email.message.envelopeTo == prospect.email)
    }

    @Test(
        "a line break in a prospect attribute that reaches the subject is refused",
        arguments: [
            (campaign: "web-lead-followup", step: "value", attribute: "company"),
            (campaign: "web-lead-followup", step: "call-now", attribute: "phone"),
        ],
        ["\r\n", "\n", "\r"])
    func aLineBreakInTheSubjectIsRefused(
        target: (campaign: String, step: String, attribute: String), lineBreak: String
    ) throws {
        let (step, campaign) = try Fixture.step(target.step, of: target.campaign)
        let prospect = try Fixture.sam([target.attribute: "Initech\(lineBreak)Bcc: all@example.com"])
        let error = #expect(throws: ComposeError.self) {
            try Fixture.composer().compose(step, of: campaign, for: prospect)
        }
        guard case .message(let refusal) = error else {
            Issue.record("expected the message builder to refuse it, got \(String(describing: error))")
            return
        }
        #expect(refusal.code == .headerInjection)
        #expect(refusal.field == "Subject")
    }
}
