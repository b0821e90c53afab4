import Foundation
import NurtureCore
import NurtureEngine
import NurtureStore
import NurtureTestSupport
import Testing

/// Mail that comes back to the reply mailbox, as the engine treats it.
struct InboxProcessorTests {
    let engine: EngineHarness
    let processor: InboxProcessor
    /// The Message-ID of the first email Pat got (`thanks`).
    let thanksID: String

    init() throws {
        engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.advance(by: 1)
        let pat = try engine.prospectID("pat@example.com")
        thanksID = try #require(try engine.store.deliveries(prospectID: pat).first { $0.stepID == "thanks" }?.messageID)
        var rules = InboxRules()
        rules.softBounceLimit = 2
        processor = InboxProcessor(store: engine.store, catalog: engine.catalog, clock: engine.clock, rules: rules)
    }

    func handle(_ text: String, uid: UInt32 = 1) throws -> InboundOutcome {
        try processor.handle(
            Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), mailbox: "imaps://mail.acme.example/INBOX",
            uid: uid, uidValidity: 7)
    }

    func reply(from: String = "Pat <pat@example.com>", id: String = "<r1@example.com>", extra: String = "") -> String {
        """
        From: \(from)
        To: dana@acme.example
        Subject: Re: the pricing guide
        Message-ID: \(id)
        In-Reply-To: \(thanksID)
        \(extra)Content-Type: text/plain; charset=utf-8

        Yes, let's talk on Thursday.

        On Mon, Dana wrote:
        > Here is the guide

        """
    }

    var statuses: [EnrollmentStatus] {
        get throws { try engine.store.enrollments(prospectID: engine.prospectID("pat@example.com")).map(\.status) }
    }

    var events: [ProspectEvent] {
        get throws { try engine.store.events(prospectID: engine.prospectID("pat@example.com")) }
    }

    @Test func aReplyEndsTheSequenceAndSaysWhichStepItAnswered() throws {
        guard case .reply(let alert) = try handle(reply()) else {
            Issue.record("not a reply")
            return
        }
        #expect(alert.summary == "Pat replied to step 1 (`thanks`) of web-lead-followup")
        #expect(alert.excerpt == "Yes, let's talk on Thursday.")
        #expect(try statuses == [.stopped])
        let event = try #require(try events.last)
        #expect(event.kind == .reply && event.source == "imap" && event.stepID == "thanks")
        #expect(event.detail == "Yes, let's talk on Thursday.")
    }

    @Test func aReplyFromAnotherAddressIsMatchedByTheEmailItAnswers() throws {
        guard case .reply(let alert) = try handle(reply(from: "Pat Home <pat@home.example>")) else {
            Issue.record("not a reply")
            return
        }
        #expect(alert.prospect.email.description == "pat@example.com")
        #expect(try statuses == [.stopped])
    }

    @Test func theSameMessageReadTwiceIsHandledOnce() throws {
        #expect(try handle(reply()).name == "reply")
        #expect(try handle(reply(), uid: 9) == .duplicate)
        #expect(try events.filter { $0.kind == .reply }.count == 1)
    }

    @Test func anOutOfOfficeIsRecordedButTheSequenceGoesOn() throws {
        let outcome = try handle(reply(id: "<ooo@example.com>", extra: "Auto-Submitted: auto-replied\n"))
        guard case .autoReply(_, _, let ended) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(!ended)
        #expect(try statuses == [.active])
        #expect(try events.last?.kind == .autoReply)
    }

    func report(status: String, action: String, id: String, original: String? = nil) -> String {
        """
        From: MAILER-DAEMON@mx.acme.example
        To: dana@acme.example
        Subject: Undelivered Mail Returned to Sender
        Message-ID: \(id)
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B"

        --B
        Content-Type: text/plain

        Your message could not be delivered.
        --B
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.acme.example

        Final-Recipient: rfc822; pat@example.com
        Action: \(action)
        Status: \(status)
        Diagnostic-Code: smtp; 550 5.1.1 no such user

        --B
        Content-Type: text/rfc822-headers

        Message-ID: \(original ?? thanksID)
        To: pat@example.com
        Subject: the pricing guide

        --B--

        """
    }

    @Test func aHardBounceReportSuppressesAndEndsEverything() throws {
        let outcome = try handle(report(status: "5.1.1", action: "failed", id: "<dsn1@mx>"))
        #expect(
            outcome
                == .bounce(email: try EmailAddress("pat@example.com"), status: "5.1.1", hard: true, suppressed: true))
        #expect(try engine.store.suppression(email: EmailAddress("pat@example.com"))?.reason == "bounce")
        #expect(try statuses == [.stopped])
        #expect(try events.last?.stepID == "thanks", "the report names the email that bounced")
    }

    @Test func softBouncesSuppressOnlyAtTheLimitAndDelayWarningsDoNotCount() throws {
        let pat = try EmailAddress("pat@example.com")
        let delayed = try handle(report(status: "4.4.7", action: "delayed", id: "<warn@mx>"))
        #expect(delayed.name == "unmatched", "a delay warning is no failure: the message may still arrive")
        let first = try handle(report(status: "4.2.2", action: "failed", id: "<dsn1@mx>"), uid: 2)
        #expect(first == .bounce(email: pat, status: "4.2.2", hard: false, suppressed: false))
        #expect(try statuses == [.active])
        let second = try handle(report(status: "4.2.2", action: "failed", id: "<dsn2@mx>"), uid: 3)
        #expect(second == .bounce(email: pat, status: "4.2.2", hard: false, suppressed: true))
        #expect(try statuses == [.stopped])
    }

    @Test func aReportThatReturnsNoEmailOfOursOrTheOwnersTaskSuppressesNobody() throws {
        // Anyone can write a report naming a prospect: without one of our emails to them in it, it is ignored.
        let forged = try handle(report(status: "5.1.1", action: "failed", id: "<f@mx>", original: "<not-ours@x>"))
        #expect(forged.name == "unmatched")
        // The owner's mailbox bouncing a task (`call-now` went to dana@acme.example) is not the prospect's doing.
        let pat = try engine.prospectID("pat@example.com")
        let task = try #require(try engine.store.deliveries(prospectID: pat).first { $0.channel == .phone }?.messageID)
        let ownerGone = try handle(report(status: "5.1.1", action: "failed", id: "<o@mx>", original: task), uid: 2)
        #expect(ownerGone.name == "unmatched")
        #expect(try engine.store.suppression(email: EmailAddress("pat@example.com")) == nil)
        #expect(try statuses == [.active])
    }

    @Test func aReadReceiptIsNoReply() throws {
        let receipt = """
            From: Pat <pat@example.com>
            To: dana@acme.example
            Subject: Read: the pricing guide
            Message-ID: <mdn@example.com>
            References: \(thanksID)
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=disposition-notification; boundary="R"

            --R
            Content-Type: text/plain

            Your message was read on Monday.
            --R
            Content-Type: message/disposition-notification

            Final-Recipient: rfc822; pat@example.com
            Disposition: manual-action/MDN-sent-manually; displayed

            --R--

            """
        guard case .autoReply(_, let kind, let ended) = try handle(receipt) else {
            Issue.record("a read receipt is automatic")
            return
        }
        #expect(kind == "read receipt" && !ended)
        #expect(try statuses == [.active])
    }

    @Test func anUnsubscribeEmailUnsubscribes() throws {
        let outcome = try handle(
            """
            From: pat@example.com
            To: dana@acme.example
            Subject: unsubscribe
            Message-ID: <u1@example.com>

            """)
        #expect(outcome == .unsubscribe(email: try EmailAddress("pat@example.com")))
        #expect(try engine.store.suppression(email: EmailAddress("pat@example.com"))?.source == "mailto")
    }

    @Test func mailFromStrangersAndGarbageChangeNothing() throws {
        #expect(
            try handle(
                reply(from: "x@elsewhere.example", id: "<s@x>").replacingOccurrences(of: thanksID, with: "<other@x>")
            ).name == "unmatched")
        #expect(try handle("\u{1}\u{2}not mail at all", uid: 5).name == "unreadable")
        #expect(try statuses == [.active])
    }
}
