import Foundation
import NurtureStore
import Synchronization
import Testing

@Suite("Claiming due steps")
struct SchedulingTests {
    @Test func claimsComeEarliestFirstUpToTheLimitAndOnlyWhenDue() throws {
        let store = try SQLiteStore.inMemory()
        var ids: [Int: EnrollmentID] = [:]
        for minute in [30, 10, 20, 40, 90] {
            let prospect = try store.makeProspect("p\(minute)@example.com")
            ids[minute] = try store.enrolled(prospect, in: "c", concurrent: true, due: at(minute)).0.id
        }
        let firstTwo = try store.claimDueSends(dueBy: at(60), limit: 2)
        #expect(firstTwo.map(\.enrollmentID) == [ids[10], ids[20]])
        #expect(firstTwo.map(\.dueAt) == [at(10), at(20)])
        let rest = try store.claimDueSends(dueBy: at(60), limit: 10)
        #expect(rest.map(\.enrollmentID) == [ids[30], ids[40]])
        #expect(try store.claimDueSends(dueBy: at(60), limit: 10).isEmpty)
        #expect(try store.claimDueSends(dueBy: at(89), limit: 0).isEmpty)
        #expect(try store.claimDueSends(dueBy: at(90), limit: 10).map(\.enrollmentID) == [ids[90]])
    }

    @Test func aClaimedStepIsNeverClaimedAgainUntilReleased() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "c", due: at(0))
        #expect(try store.claimDueSends(dueBy: at(1), limit: 10).count == 1)
        #expect(try store.claimDueSends(dueBy: at(1), limit: 10).isEmpty)
        #expect(try fixture.openAgain().claimDueSends(dueBy: at(1), limit: 10).isEmpty)
        #expect(try store.nextDueTime() == nil)

        try store.releaseClaims()
        #expect(try store.nextDueTime() == at(0))
        #expect(try store.claimDueSends(dueBy: at(1), limit: 10).map(\.enrollmentID) == [enrollment.id])
    }

    @Test func aPausedEnrollmentsStepIsNeverClaimed() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1, due: at(0))
        let (high, _) = try store.enrolled(dana, in: "high", priority: 9, due: at(30))
        #expect(try store.nextDueTime() == at(30))
        #expect(try store.claimDueSends(dueBy: at(20), limit: 10).isEmpty)
        #expect(try store.claimDueSends(dueBy: at(30), limit: 10).map(\.enrollmentID) == [high.id])

        _ = try store.endEnrollments(prospectID: dana.id, campaignID: "high", reason: .goal, at: at(31))
        // Resumed, it keeps its step and due time: overdue now, so claimable at once.
        #expect(try store.nextDueTime() == at(0))
        #expect(try store.claimDueSends(dueBy: at(31), limit: 10).map(\.enrollmentID) == [low.id])
    }

    @Test func nextDueTimeIgnoresClaimedAndPausedSteps() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.nextDueTime() == nil)
        let dana = try store.makeProspect("dana@acme.example")
        let lee = try store.makeProspect("lee@acme.example")
        try store.enrolled(dana, in: "low", priority: 1, due: at(1))
        try store.enrolled(dana, in: "high", priority: 9, due: at(5))
        try store.enrolled(lee, in: "high", due: at(3))
        #expect(try store.nextDueTime() == at(3))
        _ = try store.claimDueSends(dueBy: at(3), limit: 1)
        #expect(try store.nextDueTime() == at(5))
    }

    @Test func rescheduleMovesTheStepAndUnclaimsIt() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (enrollment, _) = try store.enrolled(dana, in: "c", due: at(0))
        _ = try store.claimDueSends(dueBy: at(0), limit: 1)
        try store.reschedule(enrollmentID: enrollment.id, to: at(45))
        #expect(
            try store.dueSend(enrollmentID: enrollment.id)
                == DueSend(enrollmentID: enrollment.id, stepID: "first", dueAt: at(45)))
        #expect(try store.nextDueTime() == at(45))
        #expect(try store.claimDueSends(dueBy: at(44), limit: 1).isEmpty)
    }

    @Test func dueSendsListsEveryLiveStepInDueOrder() throws {
        let store = try SQLiteStore.inMemory()
        let dana = try store.makeProspect("dana@acme.example")
        let (low, _) = try store.enrolled(dana, in: "low", priority: 1, due: at(50))
        let (high, _) = try store.enrolled(dana, in: "high", priority: 9, due: at(20))
        _ = try store.claimDueSends(dueBy: at(20), limit: 1)
        #expect(try store.dueSends(limit: nil).map(\.enrollmentID) == [high.id, low.id])
        #expect(try store.dueSends(limit: 1).map(\.enrollmentID) == [high.id])
    }

    /// Two processes on one file: every step is claimed exactly once, whoever gets it.
    @Test func twoConnectionsNeverClaimTheSameStep() throws {
        let fixture = try StoreFixture()
        let prospects = try fixture.store.saveProspects(
            (0..<600).map { ProspectDraft(email: try address("p\($0)@example.com")) }, at: t0)
        for (index, prospect) in prospects.enumerated() {
            _ = try fixture.store.enroll(
                EnrollmentRequest(
                    prospectID: prospect.id, campaignID: "c", priority: 0, concurrent: false, restart: false,
                    firstStepID: "first", firstDueAt: at(index % 50), at: t0))
        }
        let stores = [fixture.store, try fixture.openAgain(), try fixture.openAgain(), try fixture.openAgain()]
        let claimed = Mutex<[[EnrollmentID]]>(Array(repeating: [], count: stores.count))
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: stores.count) { worker in
            do {
                while true {
                    let batch = try stores[worker].claimDueSends(dueBy: at(60), limit: 7)
                    if batch.isEmpty { break }
                    claimed.withLock { $0[worker] += batch.map(\.enrollmentID) }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let all = claimed.withLock { $0 }.flatMap { $0 }
        #expect(all.count == 600)
        #expect(Set(all).count == 600)
    }
}
