import Dispatch
import Foundation
import NurtureCore
import NurtureSMTP
import NurtureStore
import Synchronization

/// One step the scheduler handled, for logs and tests.
public struct StepReport: Sendable {
    public let due: DueSend
    public let outcome: StepRunOutcome
    /// Known once the step was prepared for sending.
    public let campaignID: String?
    public let prospect: String?
    /// Engine time from the step's due time to its SMTP transaction starting, for steps that reached the server.
    public var lateness: TimeInterval? = nil
}

/// What `recover()` found left over from a process that stopped mid-work.
public struct RecoveryReport: Sendable, Equatable {
    /// Attempts that were in flight: not resent, recorded as uncertain, the sequence moved on.
    public let uncertain: Int
}

/// Sends every step when it falls due: one Dispatch timer armed for the earliest due time (and at least every
/// `pollInterval`, to notice the CLI's changes), claiming due steps in batches and handing them to a bounded pool
/// of SMTP connections, within the rate limits.
public final class Scheduler: Sendable {
    private let runner: StepRunner
    private let store: any NurtureStore
    private let clock: any WallClock
    private let settings: EngineSettings
    private let transports: TransportPool<any MailTransport>
    private let domains: DomainLimiter
    private let rate: RateLimiter
    private let queue = DispatchQueue(label: "nurture.scheduler")
    private let workers = DispatchQueue(label: "nurture.workers", attributes: .concurrent)
    private let connections: Int
    private let stopping = Atomic<Bool>(false)
    private let timer = TimerSlot()
    private let report: @Sendable (StepReport) -> Void
    private let problem: @Sendable (String) -> Void

    /// The armed timer; touched only on `queue`, which is what makes the unchecked Sendable safe.
    private final class TimerSlot: @unchecked Sendable {
        var timer: DispatchSourceTimer?
    }

    /// - Parameters:
    ///   - transports: one per connection (`settings.connections` of them), each reused across sends.
    ///   - onOutcome: told about every step handled (for logs and tests); called on a worker thread.
    ///   - onProblem: told when the scheduler itself cannot work (the state database failing).
    public init(
        runner: StepRunner, transports: [any MailTransport],
        onOutcome: @escaping @Sendable (StepReport) -> Void = { _ in },
        onProblem: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.runner = runner
        self.store = runner.store
        self.clock = runner.clock
        self.settings = runner.settings
        self.transports = TransportPool(transports)
        self.connections = max(1, transports.count)
        self.domains = DomainLimiter(limit: runner.settings.connectionsPerDomain)
        self.rate = RateLimiter(perSecond: runner.settings.messagesPerSecond)
        self.report = onOutcome
        self.problem = onProblem
    }

    /// At start-up: claims a stopped process left are released; attempts it left in flight are not resent
    /// (the server may have taken them) but recorded as uncertain, and their sequences move on.
    public func recover() throws -> RecoveryReport {
        try store.releaseClaims()
        let now = clock.now()
        let uncertain = try store.markInFlightUncertain(at: now)
        for delivery in uncertain {
            try runner.moveOn(afterUncertain: delivery, now: now)
        }
        return RecoveryReport(uncertain: uncertain.count)
    }

    /// Handles every step due now and waits for the sends to finish. The timer calls it; tests on a manual clock
    /// call it after moving the clock.
    @discardableResult
    public func runDue() throws -> Int {
        var handled = 0
        while !stopping.load(ordering: .relaxed) {
            let batch = try store.claimDueSends(dueBy: clock.now(), limit: settings.batchSize)
            if batch.isEmpty { break }
            // One step per prospect per batch: a second one is planned after the first went out, so the minimum
            // gap sees it (two concurrent campaigns overdue after downtime must not send together).
            var prospectsInBatch = Set<ProspectID>()
            var ready: [(StepRunner.Prepared, DueSend)] = []
            for due in batch {
                do {
                    switch try runner.prepare(due) {
                    case .done(let outcome):
                        report(StepReport(due: due, outcome: outcome, campaignID: nil, prospect: nil))
                    case .send(let prepared):
                        guard prospectsInBatch.insert(prepared.prospect.id).inserted else {
                            try store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
                            continue
                        }
                        ready.append((prepared, due))
                    }
                } catch {
                    release(due, after: error)
                }
            }
            sendAll(ready)
            handled += batch.count
        }
        return handled
    }

    /// One worker per connection, each taking the next step when it is free: a batch of 200 waits in a list,
    /// not on 200 blocked threads (which would starve every other piece of work in the process).
    private func sendAll(_ ready: [(StepRunner.Prepared, DueSend)]) {
        guard !ready.isEmpty else { return }
        let pending = WorkList(ready)
        let group = DispatchGroup()
        for _ in 0..<min(connections, ready.count) {
            workers.async(group: group) { [self] in
                while let (prepared, due) = pending.next() { send(prepared, due: due) }
            }
        }
        group.wait()
    }

    private func send(_ prepared: StepRunner.Prepared, due: DueSend) {
        let domain =
            prepared.planned.channel == .task
            ? prepared.campaign.owner.address.domain : prepared.prospect.email.domain
        do {
            let sent: (StepRunOutcome, Date)? = try domains.withSlot(for: domain) {
                try transports.withTransport { transport in
                    rate.waitForSlot()
                    // Checked once a connection is ours: a stop that came while this send waited for one wins.
                    guard !stopping.load(ordering: .relaxed) else { return nil }
                    let began = clock.now()
                    return (try runner.send(prepared, through: transport), began)
                }
            }
            guard let (outcome, began) = sent else {
                // Stopping: what has not started goes back to the store for the next run.
                try store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
                return
            }
            let reachedServer: Bool =
                switch outcome {
                case .delivered, .retrying, .failed, .bounced: true
                case .rescheduled, .skipped, .dropped: false
                }
            report(
                StepReport(
                    due: due, outcome: outcome, campaignID: prepared.campaign.id,
                    prospect: prepared.prospect.email.description,
                    lateness: reachedServer ? began.timeIntervalSince(due.dueAt) : nil))
        } catch {
            release(due, after: error)
        }
    }

    /// A state-database error on one step: give it back for a later try, not at once (a lasting error would
    /// otherwise spin), and say so.
    private func release(_ due: DueSend, after error: any Error) {
        let later = clock.now().addingTimeInterval(settings.firstRetryDelay)
        try? store.reschedule(enrollmentID: due.enrollmentID, to: later)
        report(
            StepReport(
                due: due, outcome: .dropped("state database error, trying again at \(later): \(error)"),
                campaignID: nil, prospect: nil))
    }

    // MARK: The timer

    /// Starts the timer loop on its own queue.
    public func start() {
        queue.async { [self] in tick() }
    }

    /// Looks at the store again now, rather than at the next poll: after an enrollment or event that may have
    /// made a step due (`wait: 0`), so it leaves at once. Waits its turn behind a batch in progress.
    public func wake() {
        queue.async { [self] in tick() }
    }

    /// Stops claiming new work at once, without waiting: what a shutdown does first, before anything else.
    public func beginStop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Stops claiming new work and waits up to `timeout` for sends in progress.
    /// Returns `false` if sends were still talking to a server when `timeout` ran out: they will be found in
    /// flight at the next start, recorded as uncertain and not resent.
    @discardableResult
    public func stop(timeout: TimeInterval) -> Bool {
        stopping.store(true, ordering: .relaxed)
        let drained = DispatchSemaphore(value: 0)
        // The batch in hand finishes on `queue` (sends not begun go back to the store); then the timer goes.
        queue.async { [self] in
            timer.timer?.cancel()
            timer.timer = nil
            drained.signal()
        }
        return drained.wait(timeout: .now() + timeout) == .success
    }

    private func tick() {
        guard !stopping.load(ordering: .relaxed) else { return }
        do {
            if let next = try store.nextDueTime(), next <= clock.now() {
                try runDue()
            }
            arm(for: try store.nextDueTime())
        } catch {
            // Not a step's outcome: the store could not be read or claimed from. The next poll tries again.
            problem("the state database failed, trying again in \(settings.pollInterval) s: \(error)")
            arm(for: nil)
        }
    }

    private func arm(for next: Date?) {
        let untilDue = next.map { clock.realInterval(until: $0) } ?? settings.pollInterval
        let delay = min(max(untilDue, 0), settings.pollInterval)
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + delay, leeway: .milliseconds(1))
        source.setEventHandler { [self] in tick() }
        timer.timer?.cancel()
        timer.timer = source
        source.resume()
    }
}

/// The steps of a batch still to send, taken one at a time by the workers.
private final class WorkList: Sendable {
    private let items: Mutex<ArraySlice<(StepRunner.Prepared, DueSend)>>

    init(_ items: [(StepRunner.Prepared, DueSend)]) {
        self.items = Mutex(items[...])
    }

    func next() -> (StepRunner.Prepared, DueSend)? {
        items.withLock { $0.popFirst() }
    }
}
