import Foundation
import Synchronization

/// Where every component reads the time. Only `SystemClock` looks at the real clock.
public protocol WallClock: Sendable {
    func now() -> Date
    /// How long to wait in real time until the clock reads `date`: what a Dispatch timer is armed with.
    func realInterval(until date: Date) -> TimeInterval
    /// How much clock time passes in `seconds` of real time.
    func interval(overReal seconds: TimeInterval) -> TimeInterval
    /// Blocks until the clock reads `date`, or returns early once `cancelled()` is true: a send composed ahead
    /// of its instant waits here.
    func wait(until date: Date, unless cancelled: () -> Bool)
}

/// The real time.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to; for tests and for previews at a chosen moment.
public final class ManualClock: WallClock, @unchecked Sendable {
    // `moved` guards `current`; @unchecked because the lock, not the type system, makes it safe.
    private let moved = NSCondition()
    private var current: Date

    public init(_ start: Date) {
        self.current = start
    }

    public func now() -> Date {
        moved.lock()
        defer { moved.unlock() }
        return current
    }

    public func advance(by interval: TimeInterval) {
        moved.lock()
        current = current.addingTimeInterval(interval)
        moved.broadcast()
        moved.unlock()
    }

    public func set(_ date: Date) {
        moved.lock()
        current = date
        moved.broadcast()
        moved.unlock()
    }

    /// Returns when a test moves the clock to `date` or past it; never on its own.
    public func wait(until date: Date, unless cancelled: () -> Bool) {
        moved.lock()
        defer { moved.unlock() }
        // The timeout only lets `cancelled` be looked at again; the clock itself does not move with real time.
        while current < date && !cancelled() { _ = moved.wait(until: Date(timeIntervalSinceNow: 0.05)) }
    }
}

extension WallClock {
    public func realInterval(until date: Date) -> TimeInterval {
        date.timeIntervalSince(now())
    }

    public func interval(overReal seconds: TimeInterval) -> TimeInterval { seconds }

    public func wait(until date: Date, unless cancelled: () -> Bool) {
        while !cancelled() {
            let remaining = realInterval(until: date)
            if remaining <= 0 { return }
            // In slices, so a stop is seen within one.
            Thread.sleep(forTimeInterval: min(remaining, 0.05))
        }
    }
}

/// A virtual clock running `scale` times faster than real time from `start`: `nurture run --time-scale N`
/// plays a three-week campaign in minutes, with every component (and every `Date:` header) on its time.
public struct ScaledClock: WallClock {
    public let start: Date
    public let scale: Double
    private let realStart: ContinuousClock.Instant

    public init(start: Date, scale: Double) {
        self.start = start
        self.scale = scale
        self.realStart = ContinuousClock.now
    }

    public func now() -> Date {
        let elapsed = ContinuousClock.now - realStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return start.addingTimeInterval(seconds * scale)
    }

    public func realInterval(until date: Date) -> TimeInterval {
        date.timeIntervalSince(now()) / scale
    }

    public func interval(overReal seconds: TimeInterval) -> TimeInterval { seconds * scale }
}
