import Foundation

/// A fixed set of transports, each one SMTP connection kept open from message to message; a worker borrows one
/// for a send and gives it back.
final class TransportPool<Transport: Sendable>: @unchecked Sendable {
    // NSCondition guards `idle`; @unchecked because the lock, not the type system, makes it safe.
    private let condition = NSCondition()
    private var idle: [Transport]

    init(_ transports: [Transport]) {
        idle = transports
    }

    func withTransport<Result>(_ body: (Transport) throws -> Result) rethrows -> Result {
        condition.lock()
        while idle.isEmpty { condition.wait() }
        let transport = idle.removeLast()
        condition.unlock()
        defer {
            condition.lock()
            idle.append(transport)
            condition.signal()
            condition.unlock()
        }
        return try body(transport)
    }
}

/// At most `limit` sends to one recipient domain at once: big providers throttle a sender that opens many.
final class DomainLimiter: @unchecked Sendable {
    private let condition = NSCondition()
    private var active: [String: Int] = [:]
    private let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func withSlot<Result>(for domain: String, _ body: () throws -> Result) rethrows -> Result {
        condition.lock()
        while active[domain, default: 0] >= limit { condition.wait() }
        active[domain, default: 0] += 1
        condition.unlock()
        defer {
            condition.lock()
            active[domain, default: 1] -= 1
            if active[domain] == 0 { active[domain] = nil }
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}

/// Messages per second across all connections, in real time (the SMTP server lives in real time, whatever
/// clock the engine runs on): each send takes the next free slot, `1/rate` seconds after the previous one.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: Duration?
    private var nextSlot = ContinuousClock.now

    init(perSecond rate: Double?) {
        interval = rate.flatMap { $0 > 0 ? Duration.seconds(1 / $0) : nil }
    }

    func waitForSlot() {
        guard let interval else { return }
        let slot: ContinuousClock.Instant = lock.withLock {
            let slot = max(nextSlot, ContinuousClock.now)
            nextSlot = slot + interval
            return slot
        }
        let wait = slot - ContinuousClock.now
        if wait > .zero {
            Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
        }
    }
}
