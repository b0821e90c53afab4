import Foundation
import NurtureCore
import Testing

@testable import NurtureStore

/// `grouped`: many store calls in one transaction, each still atomic on its own.
struct GroupCommitTests {
    @Test func callsInsideAGroupCommitTogetherAndSeeEachOther() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let other = try fixture.openAgain()
        try store.grouped {
            let dana = try store.makeProspect("dana@example.com")
            try store.enrolled(dana, in: "welcome")
            // Read inside the group: its own uncommitted change.
            #expect(try store.enrollments(prospectID: dana.id).count == 1)
            // Another connection sees nothing until the group commits.
            #expect(try other.prospect(email: address("dana@example.com")) == nil)
        }
        let dana = try #require(try other.prospect(email: address("dana@example.com")))
        #expect(try other.enrollments(prospectID: dana.id).count == 1)
    }

    @Test func aCallThatFailsInsideAGroupUndoesOnlyItsOwnChanges() throws {
        let store = try StoreFixture().store
        let (first, second) = try store.grouped {
            let first = try store.enrolled(try store.makeProspect("a@example.com"), in: "welcome").0
            // Finishing a delivery that does not exist throws after nothing was changed; the group goes on.
            #expect(throws: StoreError.self) {
                try store.finishDelivery(
                    9_999, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(2)), next: .complete)
            }
            let second = try store.enrolled(try store.makeProspect("b@example.com"), in: "welcome").0
            return (first, second)
        }
        #expect(try store.status(first) == .active)
        #expect(try store.status(second) == .active)
    }

    @Test func aWriteThatFailsHalfWayInsideAGroupUndoesWhatItHadWrittenAndTheGroupCommits() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        struct HalfWay: Error {}
        try store.grouped {
            _ = try store.makeProspect("a@example.com")
            #expect(throws: StoreError.self) {
                try store.write { _ in
                    // A write of its own inside this one: a savepoint within the savepoint.
                    _ = try store.makeProspect("c@example.com")
                    throw HalfWay()
                }
            }
            _ = try store.makeProspect("b@example.com")
        }
        let other = try fixture.openAgain()
        #expect(try other.prospect(email: address("a@example.com")) != nil)
        #expect(try other.prospect(email: address("b@example.com")) != nil)
        #expect(try other.prospect(email: address("c@example.com")) == nil)
    }

    @Test func anErrorOutOfTheGroupUndoesTheWholeGroup() throws {
        let store = try StoreFixture().store
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try store.grouped {
                _ = try store.makeProspect("a@example.com")
                throw Abandon()
            }
        }
        #expect(try store.prospect(email: address("a@example.com")) == nil)
    }

    @Test func deliveriesBegunInOneGroupAreEachRecordedOnce() throws {
        let store = try StoreFixture().store
        let enrollment = try store.enrolled(try store.makeProspect("a@example.com"), in: "welcome").0
        let begun = try store.grouped {
            [try store.begin(enrollment), try store.begin(enrollment)]
        }
        // The second begin of the same step is refused inside the group, as it is outside one.
        #expect(begun[0] != nil)
        #expect(begun[1] == nil)
        #expect(try store.deliveries(prospectID: enrollment.prospectID).count == 1)
    }
}

/// An attempt begun but never handed to SMTP (a stop came first) is forgotten and its step given back.
struct CancelDeliveryTests {
    @Test func aCancelledAttemptLeavesNoTraceAndTheStepIsDueAgain() throws {
        let store = try StoreFixture().store
        let enrollment = try store.enrolled(try store.makeProspect("a@example.com"), in: "welcome").0
        let delivery = try #require(try store.begin(enrollment, attempt: 2))
        #expect(try store.dueSend(enrollmentID: enrollment.id) == nil)
        try store.cancelDelivery(delivery.id, dueAt: at(0))
        #expect(try store.deliveries(prospectID: enrollment.prospectID).isEmpty)
        let due = try #require(try store.dueSend(enrollmentID: enrollment.id))
        #expect(due.stepID == "first")
        #expect(due.dueAt == at(0))
        #expect(due.attempt == 1)
        // And it can be begun again: nothing says it went out.
        #expect(try store.begin(enrollment, attempt: 2) != nil)
    }

    @Test func aFinishedAttemptIsNotCancelled() throws {
        let store = try StoreFixture().store
        let enrollment = try store.enrolled(try store.makeProspect("a@example.com"), in: "welcome").0
        let delivery = try #require(try store.begin(enrollment))
        try store.finishDelivery(
            delivery.id, result: DeliveryResultRecord(outcome: .delivered, finishedAt: at(2)), next: .complete)
        try store.cancelDelivery(delivery.id, dueAt: at(0))
        #expect(try store.deliveries(prospectID: enrollment.prospectID).map(\.outcome) == [.delivered])
        #expect(try store.dueSend(enrollmentID: enrollment.id) == nil)
    }
}
