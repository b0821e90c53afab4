import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore
import NurtureTestSupport
import Testing

/// Campaign files change, owners' mailboxes fail, processes die: prospects are neither lost nor mailed twice.
struct ResilienceTests {
    @Test func aCampaignThatFailsToLoadDoesNotEndAnyoneSequence() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        engine.catalog.replace(with: CampaignLoader.load(directory: "/nonexistent/campaigns"))
        try engine.advance(by: 8 * .day)
        let id = try engine.prospectID("pat@example.com")
        #expect(try engine.store.enrollments(prospectID: id).map(\.status) == [.active])
        engine.catalog.replace(with: Fixture.campaigns)
        try engine.advance(by: .hour)
        #expect(try engine.subjects(to: "pat@example.com").count == 2, "the value email went out once it was back")
    }

    @Test func renamingAStepThatAlreadyWentOutNeverSendsTheFirstEmailAgain() throws {
        let folder = try TemporaryFolder([
            "c.yml": """
            id: c
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: a, wait: 0, email: { subject: "First", body: b.md } }
              - { id: b, wait: 2 days, email: { subject: "Second", body: b.md } }
              - { id: c, wait: 2 days, email: { subject: "Third", body: b.md } }

            """,
            "b.md": "Hello\n",
        ])
        let engine = try EngineHarness(campaigns: CampaignLoader.load(directory: folder.path))
        try engine.enroll("pat@example.com", in: "c")
        try engine.scheduler.runDue()
        _ = try folder.write(
            String(contentsOf: folder.url.appendingPathComponent("c.yml"), encoding: .utf8)
                .replacingOccurrences(of: "id: a,", with: "id: a-renamed,")
                .replacingOccurrences(of: "id: b,", with: "id: b-renamed,"),
            to: "c.yml")
        engine.catalog.replace(with: CampaignLoader.load(directory: folder.path))
        try engine.advance(by: 2 * .day)
        try engine.advance(by: 2 * .day)
        try engine.advance(by: 2 * .day)
        #expect(try engine.subjects(to: "pat@example.com") == ["First", "Second", "Third"])
    }

    @Test func aTaskRefusedAtTheOwnersAddressDoesNotStopTheProspectsSequence() throws {
        let engine = try EngineHarness()
        let failure = SMTPFailure(
            stage: .rcptTo, reply: SMTPReply(code: 550, text: "5.1.1 No such user"), message: "550")
        engine.transport.answer(.permanentFailure(failure), for: try EmailAddress("dana@acme.example"))
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        let id = try engine.prospectID("pat@example.com")
        #expect(try engine.store.enrollments(prospectID: id).map(\.status) == [.active])
        #expect(try engine.store.suppression(email: EmailAddress("pat@example.com")) == nil)
        try engine.advance(by: 7 * .day)
        #expect(try engine.subjects(to: "pat@example.com").count == 2)
    }

    @Test func twoConcurrentCampaignsOverdueTogetherKeepTheMinimumGap() throws {
        let campaign = { (id: String) in
            """
            id: \(id)
            concurrent: true
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: hello, wait: 1 day, email: { subject: "\(id)", body: b.md } }

            """
        }
        let folder = try TemporaryFolder(["one.yml": campaign("one"), "two.yml": campaign("two"), "b.md": "Hi\n"])
        let engine = try EngineHarness(campaigns: CampaignLoader.load(directory: folder.path))
        try engine.enroll("pat@example.com", in: "one", zone: "UTC")
        try engine.enroll("pat@example.com", in: "two", zone: "UTC")
        try engine.advance(by: 10 * .day)
        #expect(engine.transport.delivered.count == 1, "the second waits for the gap")
        try engine.advance(by: .day)
        #expect(engine.transport.delivered.count == 2)
    }

    @Test func aCrashDuringRecoveryIsRecoveredNextTime() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        let due = try #require(try engine.store.claimDueSends(dueBy: engine.clock.now(), limit: 1).first)
        _ = try engine.store.beginDelivery(
            DeliveryStart(
                enrollmentID: due.enrollmentID, stepID: due.stepID, attempt: 1, channel: .email,
                recipient: "pat@example.com", messageID: nil, subject: nil, startedAt: engine.clock.now()))
        // The first recovery dies after marking the attempt uncertain, before moving the sequence on.
        _ = try engine.store.markInFlightUncertain(at: engine.clock.now())
        #expect(try engine.scheduler.recover().uncertain == 1)
        try engine.scheduler.runDue()
        #expect(try engine.subjects(to: "dana@acme.example").count == 1, "the sequence moved on to call-now")
        #expect(try engine.subjects(to: "pat@example.com").isEmpty, "thanks was not resent")
    }

    /// The send journal: of two steps left in flight by a process that died, the one it never handed to SMTP is
    /// sent at the next start; the one it did is uncertain and not resent.
    @Test func afterACrashAStepThatNeverReachedSMTPIsSentAndOneThatDidIsNot() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.enroll("lee@example.com")
        let path = engine.folder.url.appendingPathComponent("nurture.sqlite-sending").path
        do {
            let journal = try #require(SendJournal(path: path, bootID: "boot-1"))
            var messageIDs: [String: String] = [:]
            for due in try engine.store.claimDueSends(dueBy: engine.clock.now(), limit: 10) {
                let enrollment = try #require(try engine.store.enrollment(id: due.enrollmentID))
                let prospect = try #require(try engine.store.prospect(id: enrollment.prospectID))
                let messageID = "<\(due.enrollmentID)@acme.example>"
                messageIDs[prospect.email.description] = messageID
                _ = try engine.store.beginDelivery(
                    DeliveryStart(
                        enrollmentID: due.enrollmentID, stepID: due.stepID, attempt: 1, channel: .email,
                        recipient: prospect.email.description, messageID: messageID, subject: nil,
                        startedAt: engine.clock.now()))
            }
            journal.begun(Array(messageIDs.values))
            #expect(journal.handing(try #require(messageIDs["lee@example.com"])))
        }
        let runner = StepRunner(
            store: engine.store, catalog: engine.catalog, clock: engine.clock, settings: EngineSettings(),
            composer: Fixture.composer(clock: engine.clock), random: { 0.5 })
        let restarted = Scheduler(
            runner: runner, transports: [engine.transport], journal: SendJournal(path: path, bootID: "boot-1"))
        let recovery = try restarted.recover()
        #expect(recovery.uncertain == 1)
        #expect(recovery.givenBack == 1)
        try restarted.runDue()
        #expect(try engine.subjects(to: "pat@example.com").count == 1, "pat's step never reached SMTP: sent now")
        #expect(try engine.subjects(to: "lee@example.com").isEmpty, "lee's may have: not resent")
        let lee = try engine.store.deliveries(prospectID: try engine.prospectID("lee@example.com"))
        #expect(lee.map(\.outcome).contains(.uncertain))
    }
}
