import DequeModule
import Foundation

/// A queue between two stages of a pipeline (the engine's sends, an import's reading and writing): `put` waits
/// while it holds `capacity` items, `take` waits for one, `takeAll` for everything there is; after `close` and
/// once empty, the takers get nil.
///
/// A put wakes one waiting taker, and a take one waiting putter: the engine's four connections wait here for
/// every message, and waking all four for each one woke three for nothing.
public final class Handoff<Item: Sendable>: @unchecked Sendable {
    // NSCondition guards every field; @unchecked because the lock, not the type system, makes it safe.
    private let condition = NSCondition()
    private var items = Deque<Item>()
    private var closed = false
    private let capacity: Int
    /// Who waits on `condition`: takers for any item, patient takers for `patientWant` of them, putters for room.
    private var waitingTakers = 0
    private var waitingPatient = 0
    private var patientWant = Int.max
    private var waitingPutters = 0

    public init(capacity: Int = .max) {
        self.capacity = max(1, capacity)
    }

    /// Items waiting.
    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    /// Returns false, keeping nothing, once closed.
    @discardableResult
    public func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed {
            waitingPutters += 1
            condition.wait()
            waitingPutters -= 1
        }
        guard !closed else { return false }
        items.append(item)
        if waitingTakers > 0 || (waitingPatient > 0 && items.count >= patientWant) { wakeOne() }
        return true
    }

    public func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        waitForAnItem()
        guard let item = items.popFirst() else { return nil }
        if waitingPutters > 0 { wakeOne() }
        return item
    }

    /// Waits for an item, then takes every item there is; when `moreComing()` says others are about to arrive,
    /// first waits up to `patience` (real time) for `count` of them: one commit for many instead of one each.
    public func takeAll(atLeast count: Int, patience: TimeInterval, moreComing: () -> Bool) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        waitForAnItem()
        guard !items.isEmpty else { return nil }
        if items.count < count && moreComing() {
            let deadline = Date(timeIntervalSinceNow: patience)
            waitingPatient += 1
            patientWant = min(patientWant, count)
            while items.count < count && !closed && condition.wait(until: deadline) {}
            waitingPatient -= 1
            if waitingPatient == 0 { patientWant = .max }
        }
        let taken = Array(items)
        items.removeAll(keepingCapacity: true)
        // Room for every waiting putter now.
        if waitingPutters > 0 { condition.broadcast() }
        return taken
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func waitForAnItem() {
        while items.isEmpty && !closed {
            waitingTakers += 1
            condition.wait()
            waitingTakers -= 1
        }
    }

    /// Wakes one waiter when only one kind waits, so it is one that can go on; everyone when kinds are mixed.
    private func wakeOne() {
        let kinds = (waitingTakers > 0 ? 1 : 0) + (waitingPatient > 0 ? 1 : 0) + (waitingPutters > 0 ? 1 : 0)
        if kinds > 1 { condition.broadcast() } else { condition.signal() }
    }
}
