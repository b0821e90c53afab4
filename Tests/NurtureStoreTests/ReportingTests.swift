import Foundation
import NurtureStore
import Testing

@Suite("Events, suppressions and reporting")
struct ReportingTests {
    @Test func eventsAreRecordedInTheOrderTheyHappened() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "welcome")
        let click = try store.recordEvent(
            EventDraft(
                prospectID: dana.id, kind: .click, campaignID: "welcome", occurredAt: at(9), source: "link",
                detail: "https://acme.example/pricing"))
        let reply = try store.recordEvent(
            EventDraft(prospectID: dana.id, kind: .reply, occurredAt: at(3), source: "cli"))
        #expect(click.kind == .click && click.campaignID == "welcome" && click.detail == "https://acme.example/pricing")
        #expect(try store.events(prospectID: dana.id) == [reply, click])
        // Recording is not acting: ending the sequence is the engine's call.
        #expect(try store.status(enrollment) == .active)
    }

    @Test func anEventForAnUnknownProspectThrows() throws {
        let store = try SQLiteStore.inMemory()
        let error = #expect(throws: StoreError.self) {
            try store.recordEvent(EventDraft(prospectID: 5, kind: .reply, occurredAt: t0, source: "cli"))
        }
        #expect(error?.code == .notFound)
    }

    @Test func suppressionIsForGoodAndKeepsTheFirstReason() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.suppression(email: address("dana@acme.example")) == nil)
        try store.suppress(address("dana@acme.example"), reason: "unsubscribe", source: "link", at: at(1))
        try store.suppress(address("Dana@acme.example"), reason: "bounce", source: "smtp", at: at(2))
        let suppression = try #require(try store.suppression(email: address("DANA@acme.example")))
        #expect(suppression.reason == "unsubscribe")
        #expect(suppression.source == "link")
        #expect(suppression.since == at(1))
        #expect(try store.summary(now: t0).suppressed == 1)
    }

    @Test func theSummaryCountsWhatIsDueAndWhatWentWrong() throws {
        let store = try StoreFixture().store
        let dana = try store.makeProspect("dana@acme.example")
        let lee = try store.makeProspect("lee@acme.example")
        let kim = try store.makeProspect("kim@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1, due: at(0))
        try store.enrolled(dana, in: "high", priority: 9, due: at(30))
        let (leeWelcome, _) = try store.enrolled(lee, in: "welcome", due: at(5))
        let (kimWelcome, _) = try store.enrolled(kim, in: "welcome", due: at(1))
        let (kimSide, _) = try store.enrolled(kim, in: "side", concurrent: true, due: at(2))
        _ = low

        let failed = try #require(try store.begin(kimWelcome))
        try store.finishDelivery(
            failed.id, result: DeliveryResultRecord(outcome: .permanentFailure, smtpCode: 550, finishedAt: at(2)),
            next: .stop(.bounce))
        let retriesOut = try #require(try store.begin(kimSide))
        try store.finishDelivery(
            retriesOut.id, result: DeliveryResultRecord(outcome: .failed, finishedAt: at(3)),
            next: .stop(.deliveryFailed))
        _ = try store.begin(leeWelcome)
        _ = try store.markInFlightUncertain(at: at(4))
        try store.suppress(address("kim@acme.example"), reason: "bounce", source: "smtp", at: at(2))

        let summary = try store.summary(now: at(10))
        #expect(summary.prospects == 3)
        #expect(summary.enrollmentsByStatus == ["active": 2, "paused": 1, "stopped": 2])
        #expect(summary.dueNow == 0)
        #expect(summary.pending == 1)
        #expect(summary.nextDueAt == at(30))
        #expect(summary.uncertainDeliveries == 1)
        #expect(summary.failedDeliveries == 2)
        #expect(summary.suppressed == 1)
        #expect(try store.summary(now: at(30)).dueNow == 1)
    }

    @Test func theChangeTokenMovesWhenAnotherConnectionWrites() throws {
        let fixture = try StoreFixture()
        let daemon = fixture.store
        let cli = try fixture.openAgain()
        let before = try daemon.changeToken()
        #expect(try daemon.changeToken() == before)
        _ = try cli.makeProspect("dana@acme.example")
        let after = try daemon.changeToken()
        #expect(after != before)
        #expect(try daemon.changeToken() == after)
        _ = try cli.enrolled(cli.prospect(email: address("dana@acme.example"))!, in: "welcome")
        #expect(try daemon.changeToken() != after)
    }
}
