import DequeModule
import Foundation

/// A queue between two stages of a pipeline (the engine's sends, an import's reading and writing): `put` waits while it holds `capacity` items, `take` waits
/// for one, `takeAll` for everything there is; after `close` and once empty, the takers get nil.
public final class Handoff<Item: Sendable>: @unchecked Sendable {
    // NSCondition guards every field; @unchecked because the lock, not the type system, makes it safe.
    private let condition = NSCondition()
    private var items = Deque<Item>()
    private var closed = false
    private let capacity: Int

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
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    public func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard let item = items.popFirst() else { return nil }
        condition.broadcast()
        return item
    }

    /// Waits for an item, then takes every item there is; when `moreComing()` says others are about to arrive,
    /// first waits up to `patience` (real time) for `count` of them: one commit for many instead of one each.
    public func takeAll(atLeast count: Int, patience: TimeInterval, moreComing: () -> Bool) -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        if items.count < count && moreComing() {
            let deadline = Date(timeIntervalSinceNow: patience)
            while items.count < count && !closed && condition.wait(until: deadline) {}
        }
        let taken = Array(items)
        items.removeAll(keepingCapacity: true)
        condition.broadcast()
        return taken
    }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
