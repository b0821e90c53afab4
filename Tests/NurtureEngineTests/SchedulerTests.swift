import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore
import NurtureTestSupport
import Testing

/// The scheduler and the sending semantics on a manual clock: nothing here sleeps or waits for real time.
struct SchedulerTests {
    @Test func aWaitZeroFirstStepAndItsTaskGoOutAtOnce() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        #expect(try engine.subjects(to: "pat@example.com") == ["Pat, here is the pricing guide you asked for"])
        #expect(try engine.subjects(to: "dana@acme.example") == ["Task: Call Pat at +1 555 0100 within the hour"])
    }

    @Test func theNextStepWaitsFourBusinessDaysThenGoesOut() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        let id = try engine.prospectID("pat@example.com")
        let enrollment = try #require(try engine.store.enrollments(prospectID: id).first)
        let due = try #require(try engine.store.dueSend(enrollmentID: enrollment.id))
        // Monday 09:00 New York plus 4 business days, Thanksgiving (Thu 26 Nov) a holiday: Monday 30 Nov 09:00.
        #expect(due.stepID == "value")
        #expect(due.dueAt == EngineHarness.monday.addingTimeInterval(7 * .day))
        try engine.advance(by: 7 * .day - .minute)
        #expect(engine.transport.delivered.count == 2)
        try engine.advance(by: .minute)
        #expect(engine.transport.delivered.count == 3)
    }

    @Test func stepsGoOutInDueOrderAcrossBatches() throws {
        var settings = EngineSettings()
        settings.batchSize = 7
        let engine = try EngineHarness(settings: settings)
        for index in 0..<25 {
            engine.clock.advance(by: 1)
            try engine.enroll("p\(index)@example.com")
        }
        try engine.scheduler.runDue()
        // A batch's sends run in parallel, so only the batches keep due order: p0-p6 first, then p7-p13, ...
        let thanks = engine.transport.delivered.map(\.to.description).filter { $0 != "dana@acme.example" }
        let expected = (0..<25).map { "p\($0)@example.com" }
        #expect(thanks.count == 25)
        for start in stride(from: 0, to: 25, by: 7) {
            let end = min(start + 7, 25)
            #expect(Set(thanks[start..<end]) == Set(expected[start..<end]), "batch starting at p\(start)")
        }
        #expect(engine.transport.delivered.count == 50)
    }

    @Test func anEarlierEnrollmentBringsTheNextWakeForward() throws {
        let engine = try EngineHarness()
        try engine.enroll("later@example.com", in: "monthly-nurture")
        let monthly = try #require(try engine.store.nextDueTime())
        #expect(monthly > engine.clock.now().addingTimeInterval(29 * .day))
        try engine.enroll("now@example.com")
        #expect(try engine.store.nextDueTime() == engine.clock.now())
    }

    @Test func aTemporaryFailureIsRetriedWithBackoffThenDelivered() throws {
        let engine = try EngineHarness()
        let failure = SMTPFailure(stage: .rcptTo, reply: SMTPReply(code: 451, text: "4.3.0 Try later"), message: "451")
        engine.transport.script(.transientFailure(failure), .transientFailure(failure))
        try engine.enroll("pat@example.com", in: "re-engagement", zone: "Europe/London")
        // Monday 14:00 London is outside re-engagement's Tue-Thu window: the first step waits for Tuesday 09:30.
        try engine.advance(by: 19.5 * .hour)
        #expect(engine.handled.last == .retrying(at: engine.clock.now().addingTimeInterval(60), failure))
        try engine.advance(by: 60)
        #expect(engine.handled.last == .retrying(at: engine.clock.now().addingTimeInterval(120), failure))
        try engine.advance(by: 119)
        #expect(engine.transport.delivered.isEmpty)
        try engine.advance(by: 1)
        #expect(engine.transport.delivered.count == 1)
        let deliveries = try engine.store.deliveries(prospectID: try engine.prospectID("pat@example.com"))
        #expect(deliveries.map(\.outcome) == [.transientFailure, .transientFailure, .delivered])
        #expect(deliveries.map(\.attempt) == [1, 2, 3])
    }

    @Test func retriesRunOutThenTheStepFailsAndTheSequenceStops() throws {
        var settings = EngineSettings()
        settings.maxAttempts = 2
        let engine = try EngineHarness(settings: settings)
        // A recipient's deferral: a server that is down pauses sending instead, and spends no step's attempts.
        let failure = SMTPFailure(stage: .rcptTo, reply: SMTPReply(code: 451, text: "4.3.0 Try later"), message: "451")
        engine.transport.script(.transientFailure(failure), .transientFailure(failure))
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        try engine.advance(by: 60)
        let id = try engine.prospectID("pat@example.com")
        #expect(try engine.store.enrollments(prospectID: id).map(\.stopReason) == [.deliveryFailed])
        #expect(try engine.store.deliveries(prospectID: id).map(\.outcome) == [.transientFailure, .failed])
        let notice = try #require(engine.transport.delivered.last)
        #expect(notice.to.description == "dana@acme.example")
        #expect(
            try PythonEmailParser.parse(bytes: notice.message).subject
                == "Nurture: pat@example.com did not get step `thanks`")
    }

    @Test func aPermanentFailureBouncesSuppressesAndEndsEverySequence() throws {
        let engine = try EngineHarness()
        let address = try EmailAddress("gone@example.com")
        let failure = SMTPFailure(
            stage: .rcptTo, reply: SMTPReply(code: 550, text: "5.1.1 No such user"), message: "550")
        engine.transport.answer(.permanentFailure(failure), for: address)
        try engine.enroll("gone@example.com")
        try engine.scheduler.runDue()
        #expect(try engine.store.suppression(email: address)?.reason == "bounce")
        let id = try engine.prospectID("gone@example.com")
        #expect(try engine.store.enrollments(prospectID: id).allSatisfy { $0.status == .stopped })
        #expect(try engine.store.events(prospectID: id).map(\.kind) == [.bounce])
        let again = try engine.enroll("gone@example.com", in: "monthly-nurture")
        guard case .suppressed = again.result else {
            Issue.record("a bounced address was enrolled again: \(again.result)")
            return
        }
    }

    @Test func aReplyStopsTheRestOfTheSequence() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        _ = try engine.actions.record(.reply, for: EmailAddress("pat@example.com"), source: "test")
        try engine.advance(by: 60 * .day)
        #expect(engine.transport.delivered.count == 2)
    }

    @Test func anUnsubscribeStopsEveryCampaignForGood() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com", in: "monthly-nurture")
        try engine.enroll("pat@example.com")
        _ = try engine.actions.record(.unsubscribe, for: EmailAddress("pat@example.com"), source: "test")
        try engine.advance(by: 200 * .day)
        #expect(engine.transport.delivered.isEmpty)
        let id = try engine.prospectID("pat@example.com")
        #expect(try engine.store.enrollments(prospectID: id).map(\.status) == [.stopped, .stopped])
    }

    @Test func aHigherPriorityCampaignPausesTheLowerOneUntilItEnds() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com", in: "monthly-nurture")
        let outcome = try engine.enroll("pat@example.com")
        guard case .enrolled(_, let paused) = outcome.result else {
            Issue.record("not enrolled: \(outcome.result)")
            return
        }
        #expect(paused.map(\.campaignID) == ["monthly-nurture"])
        _ = try engine.actions.stop(EmailAddress("pat@example.com"), campaignID: "web-lead-followup")
        let id = try engine.prospectID("pat@example.com")
        let statuses = try engine.store.enrollments(prospectID: id).map { "\($0.campaignID):\($0.status.rawValue)" }
        #expect(statuses.sorted() == ["monthly-nurture:active", "web-lead-followup:stopped"])
    }

    @Test func aProspectWhoPrefersThePhoneGetsOwnerTasksInsteadOfEmails() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com", channel: .phone)
        try engine.scheduler.runDue()
        #expect(try engine.subjects(to: "pat@example.com").isEmpty)
        let owner = try engine.subjects(to: "dana@acme.example")
        #expect(owner.first?.hasPrefix("Task: Call Pat (prefers the phone): ") == true)
        #expect(owner.count == 2)
    }

    @Test func afterDowntimeOverdueStepsGoOutOneAtATimeNotInABurst() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        // Down for five weeks: value, case-study, linkedin, check-in and breakup are all "due".
        try engine.advance(by: 35 * .day)
        #expect(try engine.subjects(to: "pat@example.com").count == 2)
        let id = try engine.prospectID("pat@example.com")
        let enrollment = try #require(try engine.store.enrollments(prospectID: id).first)
        #expect(try engine.store.dueSend(enrollmentID: enrollment.id)?.stepID == "case-study")
    }

    @Test func anAttemptInFlightAtACrashIsNotResentButTheSequenceMovesOn() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        let claimed = try engine.store.claimDueSends(dueBy: engine.clock.now(), limit: 10)
        let due = try #require(claimed.first)
        let started = try engine.store.beginDelivery(
            DeliveryStart(
                enrollmentID: due.enrollmentID, stepID: due.stepID, attempt: 1, channel: .email,
                recipient: "pat@example.com", messageID: "<x@acme.example>", subject: "Hi",
                startedAt: engine.clock.now()))
        #expect(started != nil)
        // The process dies here. A new one starts:
        let report = try engine.scheduler.recover()
        #expect(report.uncertain == 1)
        try engine.scheduler.runDue()
        let deliveries = try engine.store.deliveries(prospectID: try engine.prospectID("pat@example.com"))
        #expect(deliveries.map(\.stepID) == ["thanks", "call-now"])
        #expect(deliveries.map(\.outcome) == [.uncertain, .delivered])
        #expect(try engine.subjects(to: "pat@example.com").isEmpty, "thanks was not sent again")
    }
}
