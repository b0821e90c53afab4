import Dispatch
import Foundation
import NurtureCore
import Synchronization
import Testing

/// A put wakes one taker and a take one putter: nothing may be lost or left waiting for a wake that never comes.
/// Every wait here is bounded, so a lost wake fails the test instead of hanging it.
struct HandoffTests {
    @Test func fourTakersAndTwoPuttersThroughASmallQueueMoveEveryItemOnce() {
        let handoff = Handoff<Int>(capacity: 2)
        let taken = Mutex<[Int]>([])
        let takers = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: takers) {
                while let item = handoff.take() { taken.withLock { $0.append(item) } }
            }
        }
        let putters = DispatchGroup()
        for start in [0, 1] {
            DispatchQueue.global().async(group: putters) {
                for item in stride(from: start, to: 2_000, by: 2) { handoff.put(item) }
            }
        }
        #expect(putters.wait(timeout: .now() + 60) == .success)
        handoff.close()
        #expect(takers.wait(timeout: .now() + 60) == .success)
        #expect(taken.withLock { $0.sorted() } == Array(0..<2_000))
    }

    @Test func aPatientTakerIsWokenOnceItsCountIsThere() {
        let handoff = Handoff<Int>()
        handoff.put(0)
        let started = ContinuousClock.now
        let batch = Mutex<[Int]?>(nil)
        let taker = DispatchGroup()
        // Asked under the queue's lock, just before the taker waits: the puts below come after it waits.
        let waits = DispatchSemaphore(value: 0)
        DispatchQueue.global().async(group: taker) {
            let items = handoff.takeAll(
                atLeast: 5, patience: 30,
                moreComing: {
                    waits.signal()
                    return true
                })
            batch.withLock { $0 = items }
        }
        #expect(waits.wait(timeout: .now() + 60) == .success)
        for item in 1..<5 { handoff.put(item) }
        #expect(taker.wait(timeout: .now() + 60) == .success)
        // Not the 30 s of patience: the fifth item woke it.
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(batch.withLock { $0 } == [0, 1, 2, 3, 4])
    }

    @Test func closingWakesWaitingTakersAndPutters() {
        let empty = Handoff<Int>()
        let full = Handoff<Int>(capacity: 1)
        full.put(0)
        let results = Mutex<(taken: Int??, put: Bool?)>((nil, nil))
        let waiting = DispatchGroup()
        DispatchQueue.global().async(group: waiting) {
            let item = empty.take()
            results.withLock { $0.taken = .some(item) }
        }
        DispatchQueue.global().async(group: waiting) {
            let accepted = full.put(1)
            results.withLock { $0.put = accepted }
        }
        empty.close()
        full.close()
        #expect(waiting.wait(timeout: .now() + 60) == .success)
        #expect(results.withLock { $0.taken } == .some(nil))
        #expect(results.withLock { $0.put } == false)
        // What was in before the close is still handed out.
        #expect(full.take() == 0)
        #expect(full.take() == nil)
    }
}
