import Foundation

/// A queue between two stages of the send pipeline: `put` waits while it holds `capacity` items, `take` waits
/// for one, `takeAll` for everything there is; after `close` and once empty, the takers get nil.
final class Handoff<Item: Sendable>: @unchecked Sendable {
    // NSCondition guards every field; @unchecked because the lock, not the type system, makes it safe.
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var closed = false
    private let capacity: Int

    init(capacity: Int = .max) {
        self.capacity = max(1, capacity)
    }

    /// Items waiting.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Returns false, keeping nothing, once closed.
    @discardableResult
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        // Taken items go once they are half the array: a queue that never quite empties must not keep them all.
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && 2 * head >= items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// Waits for an item, then takes every item there is; when `moreComing()` says others are about to arrive,
    /// first waits up to `patience` (real time) for `count` of them: one commit for many instead of one each.
    func takeAll(atLeast count: Int, patience: TimeInterval, moreComing: () -> Bool) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        if items.count - head < count && moreComing() {
            let deadline = Date(timeIntervalSinceNow: patience)
            while items.count - head < count && !closed && condition.wait(until: deadline) {}
        }
        let taken = Array(items[head...])
        items.removeAll(keepingCapacity: true)
        head = 0
        condition.broadcast()
        return taken
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
