import Foundation
import Synchronization
import NurtureCore
import NurtureEngine
import NurtureStore
import NurtureTestSupport
import Testing

/// A scheduler with a lead claims, composes and records a step before its instant, then sends it at the instant.
/// The manual clock only moves when the test moves it, so "not before its instant" is exact.
struct ComposeAheadTests {
    /// Monday 09:00 New York plus 4 business days (Thanksgiving a holiday): the web lead's `value` step.
    static let valueDue = EngineHarness.monday.addingTimeInterval(7 * .day)

    @Test func aStepComposedAheadGoesOutAtItsInstantCarryingItInItsDateHeader() throws {
        let engine = try EngineHarness(lead: 60)
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        #expect(engine.transport.delivered.count == 2)

        engine.clock.set(Self.valueDue.addingTimeInterval(-30))
        let running = inBackground { try engine.scheduler.runDue() }
        let pat = try engine.prospectID("pat@example.com")
        try waitUntil { try engine.store.deliveries(prospectID: pat).contains { $0.outcome == .inFlight } }
        // Recorded as in flight 30 s ahead, and still not sent: the clock has not reached the instant.
        #expect(engine.transport.delivered.count == 2)

        engine.clock.set(Self.valueDue)
        #expect(try running.value() == 1)
        let value = try #require(engine.transport.delivered.last)
        #expect(try PythonEmailParser.parse(bytes: value.message).date == "Mon, 30 Nov 2026 14:00:00 +0000")
        let delivery = try #require(try engine.store.deliveries(prospectID: pat).first { $0.stepID == "value" })
        #expect(delivery.outcome == .delivered)
        #expect(delivery.startedAt == Self.valueDue)
    }

    @Test func aReplyWhileAStepWaitsForItsInstantStopsIt() throws {
        let engine = try EngineHarness(lead: 60)
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()

        engine.clock.set(Self.valueDue.addingTimeInterval(-30))
        let running = inBackground { try engine.scheduler.runDue() }
        let pat = try engine.prospectID("pat@example.com")
        try waitUntil { try engine.store.deliveries(prospectID: pat).contains { $0.outcome == .inFlight } }
        _ = try engine.actions.record(.reply, for: EmailAddress("pat@example.com"), source: "test")

        engine.clock.set(Self.valueDue)
        _ = try running.value()
        #expect(engine.transport.delivered.count == 2)
        // The attempt that never reached SMTP is forgotten, and the sequence stays ended by the reply.
        #expect(try engine.store.deliveries(prospectID: pat).map(\.stepID).sorted() == ["call-now", "thanks"])
        #expect(try engine.store.enrollments(prospectID: pat).first?.status == .stopped)
    }

    @Test func withoutALeadNothingIsClaimedBeforeItIsDue() throws {
        let engine = try EngineHarness()
        try engine.enroll("pat@example.com")
        try engine.scheduler.runDue()
        engine.clock.set(Self.valueDue.addingTimeInterval(-1))
        #expect(try engine.scheduler.runDue() == 0)
        #expect(engine.transport.delivered.count == 2)
    }

    /// Runs `body` on a queue of its own, since it blocks until the test moves the clock.
    private func inBackground<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Background<T> {
        let background = Background<T>()
        DispatchQueue(label: "ComposeAheadTests.background").async { background.finish(Result { try body() }) }
        return background
    }

    /// Waits, in real time, for another thread to reach a state the test can see; fails after a minute.
    private func waitUntil(_ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw TestSetupError(description: "timed out") }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }
}

/// The result of work on another thread, waited for.
private final class Background<T: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<T, any Error>?>(nil)

    func finish(_ outcome: Result<T, any Error>) {
        result.withLock { $0 = outcome }
        done.signal()
    }

    func value() throws -> T {
        guard done.wait(timeout: .now() + 60) == .success else { throw TestSetupError(description: "timed out") }
        return try result.withLock { $0! }.get()
    }
}
