import Foundation
import NurtureSMTP

/// Whether the SMTP server can take mail, as the last sends found it. When one fails for a reason that is the
/// server's or our setup's (down, silent, 421, TLS, login), every send would fail alike: sending pauses, and after
/// a backoff (`EngineSettings.retryDelay`, doubling up to its cap) one send alone probes the server while the
/// others wait for its outcome. So an hour of a wrong password costs a handful of logins, not one per step, and no
/// step loses an attempt or its sequence to a fault that was never its recipient's.
final class ServerHealth: @unchecked Sendable {
    /// What a connection may do with the step in its hand.
    enum Admission: Equatable {
        case send
        /// Paused until then: the step goes back to the store.
        case paused(until: Date)
    }

    /// A change worth one line in the log.
    enum Change: Equatable {
        /// Sending has stopped; it is tried again at `retryAt`.
        case paused(SMTPFailure, retryAt: Date)
        /// The server took a message again, after `since`.
        case resumed(since: Date)
    }

    private struct Outage {
        let since: Date
        var failures: Int
        var retryAt: Date
        var probing: Bool
    }

    // NSCondition guards `outage`; @unchecked because the lock, not the type system, makes it safe.
    private let condition = NSCondition()
    private var outage: Outage?
    private let settings: EngineSettings

    init(settings: EngineSettings) {
        self.settings = settings
    }

    /// Until when sending is paused, if it is (claiming new steps waits for it too).
    func pausedUntil(now: Date) -> Date? {
        condition.withLock {
            guard let outage else { return nil }
            return outage.probing || outage.retryAt > now ? max(outage.retryAt, now) : nil
        }
    }

    /// Waits while another connection probes the server, then says whether this one may send.
    func admit(now: @autoclosure () -> Date) -> Admission {
        condition.lock()
        defer { condition.unlock() }
        while outage?.probing == true { condition.wait() }
        guard var current = outage else { return .send }
        let now = now()
        guard now >= current.retryAt else { return .paused(until: current.retryAt) }
        current.probing = true
        outage = current
        return .send
    }

    /// What a send found; a change to log, when it started or ended an outage.
    func record(_ result: DeliveryResult, at now: Date) -> Change? {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        if case .transientFailure(let failure) = result, failure.concernsServer {
            guard var current = outage else {
                let retryAt = now.addingTimeInterval(settings.retryDelay(afterAttempt: 1, jitter: 0.5))
                outage = Outage(since: now, failures: 1, retryAt: retryAt, probing: false)
                return .paused(failure, retryAt: retryAt)
            }
            // Sends begun before the pause fail alike; only the probe's failure lengthens it.
            guard current.probing else { return nil }
            current.failures += 1
            current.probing = false
            current.retryAt = now.addingTimeInterval(
                settings.retryDelay(afterAttempt: current.failures, jitter: 0.5))
            outage = current
            return nil
        }
        guard let current = outage else { return nil }
        outage = nil
        return .resumed(since: current.since)
    }
}
