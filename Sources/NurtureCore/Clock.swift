import Foundation
import Synchronization

/// Where every component reads the time. Only `SystemClock` looks at the real clock.
public protocol WallClock: Sendable {
    func now() -> Date
    /// How long to wait in real time until the clock reads `date`: what a Dispatch timer is armed with.
    func realInterval(until date: Date) -> TimeInterval
}

/// The real time.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to; for tests and for previews at a chosen moment.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}

extension WallClock {
    public func realInterval(until date: Date) -> TimeInterval {
        date.timeIntervalSince(now())
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
}
