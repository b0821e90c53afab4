import Foundation
import NurtureStore
import Synchronization
import Testing

@Suite("Deliveries: never twice, and moving on")
struct DeliveryTests {
    @Test func beginningRecordsTheAttemptInFlightAndTakesTheDueStep() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "thanks")
        let delivery = try #require(try store.begin(enrollment, step: "thanks", at: at(1)))
        #expect(delivery.outcome == .inFlight)
        #expect(delivery.prospectID == dana.id)
        #expect(delivery.campaignID == "welcome")
        #expect(delivery.startedAt == at(1))
        #expect(delivery.finishedAt == nil)
        #expect(delivery.messageID == "<\(enrollment.id).thanks.0@nurture.test>")
        #expect(try store.dueSend(enrollmentID: enrollment.id) == nil)
        #expect(try store.deliveries(prospectID: dana.id) == [delivery])
    }

    @Test func aStepInFlightOrDeliveredIsNeverBegunAgain() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome")
        let first = try #require(try store.begin(enrollment))
        #expect(try store.begin(enrollment, attempt: 1) == nil)

        try store.finishDelivery(
            first.id, result: DeliveryResultRecord(outcome: .delivered, smtpCode: 250, finishedAt: at(2)),
            next: .retry(dueAt: at(3), attempt: 1))
        #expect(try store.begin(enrollment, attempt: 1) == nil)
        #expect(try store.deliveries(prospectID: dana.id).count == 1)
    }

    @Test func twoConnectionsBeginningOneStepGetOneDelivery() throws {
        let fixture = try StoreFixture()
        let dana = try fixture.store.makeProspect("dana@acme.example")
        let (enrollment, _) = try fixture.store.enrolled(dana, in: "welcome")
        let stores = [fixture.store, try fixture.openAgain(), try fixture.openAgain()]
        let outcomes = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: stores.count) { worker in
            let outcome: String
            do {
                outcome = try stores[worker].begin(enrollment) == nil ? "refused" : "begun"
            } catch {
                outcome = "\(error)"
            }
            outcomes.withLock { $0.append(outcome) }
        }
        #expect(outcomes.withLock { $0 }.sorted() == ["begun", "refused", "refused"])
    }

    @Test func aStoppedOrPausedEnrollmentIsNotBegun() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1)
        let (high, _) = try store.enrolled(dana, in: "high", priority: 9)
        #expect(try store.begin(low) == nil)
        _ = try store.endEnrollments(prospectID: dana.id, campaignID: "high", reason: .reply, at: at(1))
        #expect(try store.begin(high) == nil)
        #expect(try store.deliveries(prospectID: dana.id).isEmpty)
    }

    @Test func onlyTheStepTheEnrollmentWaitsForIsBegun() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "thanks")
        #expect(try store.begin(enrollment, step: "breakup") == nil)
        #expect(try store.dueSend(enrollmentID: enrollment.id) != nil)
    }

    @Test func finishingWithScheduleMovesToTheNextStep() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "thanks")
        let delivery = try #require(try store.begin(enrollment, step: "thanks"))
        let result = DeliveryResultRecord(
            outcome: .delivered, smtpCode: 250, smtpText: "2.0.0 Ok: queued", finishedAt: at(2))
        try store.finishDelivery(delivery.id, result: result, next: .schedule(stepID: "value", dueAt: at(5000)))

        let moved = try #require(try store.enrollment(id: enrollment.id))
        #expect(moved.status == .active)
        #expect(moved.lastStepID == "thanks")
        #expect(moved.lastStepAt == at(2))
        #expect(moved.nextStepID == "value")
        #expect(
            try store.dueSend(enrollmentID: enrollment.id)
                == DueSend(enrollmentID: enrollment.id, stepID: "value", dueAt: at(5000)))
        let recorded = try #require(try store.deliveries(prospectID: dana.id).first)
        #expect(recorded.outcome == .delivered)
        #expect(recorded.smtpCode == 250)
        #expect(recorded.smtpText == "2.0.0 Ok: queued")
        #expect(recorded.finishedAt == at(2))
    }

    @Test func finishingWithRetryKeepsTheStepAndCountsTheAttempt() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "thanks")
        let first = try #require(try store.begin(enrollment, step: "thanks"))
        try store.finishDelivery(
            first.id, result: DeliveryResultRecord(outcome: .transientFailure, smtpCode: 451, finishedAt: at(2)),
            next: .retry(dueAt: at(10), attempt: 1))
        #expect(
            try store.dueSend(enrollmentID: enrollment.id)
                == DueSend(enrollmentID: enrollment.id, stepID: "thanks", dueAt: at(10), attempt: 1))
        let waiting = try #require(try store.enrollment(id: enrollment.id))
        #expect(waiting.lastStepID == nil)
        #expect(waiting.nextStepID == "thanks")

        // A transient failure does not count as sent: the retry may begin, and counts for the gap once in flight.
        #expect(try store.lastEmailSent(prospectID: dana.id) == nil)
        let second = try #require(try store.begin(enrollment, step: "thanks", attempt: 1, at: at(10)))
        #expect(second.attempt == 1)
        #expect(try store.lastEmailSent(prospectID: dana.id) == at(10))
    }

    @Test func finishingWithCompleteEndsTheEnrollmentAndResumesAPausedOne() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1)
        let (high, _) = try store.enrolled(dana, in: "high", priority: 9, firstStep: "breakup")
        let delivery = try #require(try store.begin(high, step: "breakup"))
        try store.finishDelivery(
            delivery.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(3)), next: .complete)
        let done = try #require(try store.enrollment(id: high.id))
        #expect(done.status == .completed)
        #expect(done.stopReason == nil)
        #expect(done.endedAt == at(3))
        #expect(done.lastStepID == "breakup")
        #expect(done.nextStepID == nil)
        #expect(try store.status(low) == .active)
    }

    @Test func finishingWithStopEndsTheEnrollmentWithTheReason() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1)
        let (high, _) = try store.enrolled(dana, in: "high", priority: 9)
        let delivery = try #require(try store.begin(high))
        try store.finishDelivery(
            delivery.id, result: DeliveryResultRecord(outcome: .permanentFailure, smtpCode: 550, finishedAt: at(3)),
            next: .stop(.bounce))
        let stopped = try #require(try store.enrollment(id: high.id))
        #expect(stopped.status == .stopped)
        #expect(stopped.stopReason == .bounce)
        // The step did not go out, so it is not the last one sent.
        #expect(stopped.lastStepID == nil)
        #expect(try store.dueSend(enrollmentID: high.id) == nil)
        #expect(try store.status(low) == .active)
    }

    @Test func anEnrollmentEndedWhileInFlightStaysEnded() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome")
        let delivery = try #require(try store.begin(enrollment))
        _ = try store.endEnrollments(prospectID: dana.id, campaignID: nil, reason: .reply, at: at(2))
        try store.finishDelivery(
            delivery.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(3)),
            next: .schedule(stepID: "second", dueAt: at(100)))
        #expect(try store.status(enrollment) == .stopped)
        #expect(try store.dueSend(enrollmentID: enrollment.id) == nil)
        #expect(try store.deliveries(prospectID: dana.id).first?.outcome == .delivered)
    }

    @Test func finishingAnUnknownDeliveryThrows() throws {
        let store = try SQLiteStore.inMemory()
        let error = #expect(throws: StoreError.self) {
            try store.finishDelivery(
                7, result: DeliveryResultRecord(outcome: .delivered, finishedAt: t0), next: .complete)
        }
        #expect(error?.code == .notFound)
    }

    @Test func skippingRecordsWhyAndTakesTheStepsTurn() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "thanks")
        try store.skipStep(
            enrollmentID: enrollment.id, stepID: "thanks", note: "2 days late; max_lateness is 1 day", at: at(3000),
            next: .schedule(stepID: "value", dueAt: at(4000)))
        let skipped = try #require(try store.deliveries(prospectID: dana.id).first)
        #expect(skipped.outcome == .skipped)
        #expect(skipped.stepID == "thanks")
        #expect(skipped.note == "2 days late; max_lateness is 1 day")
        #expect(skipped.finishedAt == at(3000))
        let moved = try #require(try store.enrollment(id: enrollment.id))
        #expect(moved.lastStepID == "thanks")
        #expect(moved.lastStepAt == at(3000))
        #expect(moved.nextStepID == "value")
        #expect(try store.dueSend(enrollmentID: enrollment.id)?.stepID == "value")
        #expect(try store.lastEmailSent(prospectID: dana.id) == nil)

        try store.skipStep(
            enrollmentID: enrollment.id, stepID: "value", note: "campaign step gone", at: at(4000), next: .complete)
        #expect(try store.status(enrollment) == .completed)
        // Once ended, skipping changes nothing.
        try store.skipStep(enrollmentID: enrollment.id, stepID: "value", note: "again", at: at(4001), next: .complete)
        #expect(try store.deliveries(prospectID: dana.id).count == 2)
    }

    @Test func anAttemptLeftInFlightByACrashBecomesUncertainAndIsNotResent() throws {
        let fixture = try StoreFixture()
        let dana = try fixture.store.makeProspect("dana@acme.example")
        let (enrollment, _) = try fixture.store.enrolled(dana, in: "welcome", firstStep: "thanks")
        let inFlight = try #require(try fixture.store.begin(enrollment, step: "thanks", at: at(1)))
        try fixture.store.close()

        let restarted = try fixture.openAgain()
        let uncertain = try restarted.markInFlightUncertain(at: at(10))
        #expect(uncertain.map(\.id) == [inFlight.id])
        #expect(uncertain.first?.outcome == .uncertain)
        // Until the engine moves the sequence on, a second recovery (after a crash in the first) sees it again.
        #expect(try restarted.markInFlightUncertain(at: at(11)).map(\.id) == [inFlight.id])
        #expect(try restarted.summary(now: at(10)).uncertainDeliveries == 1)
        #expect(try restarted.begin(enrollment, step: "thanks", attempt: 1) == nil)
        // It may have gone out: the minimum gap counts it from when it started.
        #expect(try restarted.lastEmailSent(prospectID: dana.id) == at(1))

        try restarted.finishDelivery(
            inFlight.id, result: DeliveryResultRecord(outcome: .uncertain, finishedAt: at(10)),
            next: .schedule(stepID: "value", dueAt: at(500)))
        #expect(try restarted.dueSend(enrollmentID: enrollment.id)?.stepID == "value")
        #expect(try restarted.enrollment(id: enrollment.id)?.lastStepID == "thanks")
        #expect(try restarted.lastEmailSent(prospectID: dana.id) == at(1))
    }

    @Test func theLastEmailSentIgnoresTasksFailuresAndSkips() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        #expect(try store.lastEmailSent(prospectID: dana.id) == nil)
        let (a, _) = try store.enrolled(dana, in: "a", concurrent: true)
        let (b, _) = try store.enrolled(dana, in: "b", concurrent: true)
        let (c, _) = try store.enrolled(dana, in: "c", concurrent: true)
        let (d, _) = try store.enrolled(dana, in: "d", concurrent: true)

        let email = try #require(try store.begin(a, at: at(1)))
        try store.finishDelivery(
            email.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(2)), next: .complete)
        let task = try #require(
            try store.beginDelivery(
                DeliveryStart(
                    enrollmentID: b.id, stepID: "first", attempt: 0, channel: .phone, recipient: "owner@acme.example",
                    messageID: nil, subject: "Call Dana", startedAt: at(5))))
        try store.finishDelivery(
            task.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(6)), next: .complete)
        let failure = try #require(try store.begin(c, at: at(7)))
        try store.finishDelivery(
            failure.id, result: DeliveryResultRecord(outcome: .failed, finishedAt: at(8)), next: .stop(.deliveryFailed))
        try store.skipStep(enrollmentID: d.id, stepID: "first", note: "late", at: at(9), next: .complete)

        #expect(try store.lastEmailSent(prospectID: dana.id) == at(2))
        #expect(try store.lastDeliveredEmail(enrollmentID: a.id)?.id == email.id)
        #expect(try store.lastDeliveredEmail(enrollmentID: b.id) == nil)
        #expect(try store.lastDeliveredEmail(enrollmentID: c.id) == nil)
        #expect(try store.deliveries(prospectID: dana.id).map(\.startedAt) == [at(1), at(5), at(7), at(9)])
    }

    @Test func theLastDeliveredEmailIsTheNewestOfTheEnrollment() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome", firstStep: "one")
        let one = try #require(try store.begin(enrollment, step: "one", at: at(1)))
        try store.finishDelivery(
            one.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(2)),
            next: .schedule(stepID: "two", dueAt: at(10)))
        let two = try #require(try store.begin(enrollment, step: "two", at: at(10)))
        try store.finishDelivery(
            two.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(11)),
            next: .schedule(stepID: "three", dueAt: at(20)))
        let last = try #require(try store.lastDeliveredEmail(enrollmentID: enrollment.id))
        #expect(last.stepID == "two")
        #expect(last.messageID == "<\(enrollment.id).two.0@nurture.test>")
    }
}
