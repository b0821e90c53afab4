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

    func put(_ item: Item) {
        condition.lock()
        while items.count - head >= capacity && !closed { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func takeAll() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed { condition.wait() }
        guard head < items.count else { return nil }
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
