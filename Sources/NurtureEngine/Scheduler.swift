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

extension StepReport {
    init(due: DueSend, prepared: StepRunner.Prepared, outcome: StepRunOutcome) {
        self.init(
            due: due, outcome: outcome, campaignID: prepared.campaign.id, prospect: prepared.prospect.email.description)
    }
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

    /// Handles every step due now and waits for the sends to finish and be recorded. The timer calls it; tests
    /// on a manual clock call it after moving the clock.
    @discardableResult
    public func runDue() throws -> Int {
        var handled = 0
        while !stopping.load(ordering: .relaxed) {
            let batch = try store.claimDueSends(dueBy: clock.now(), limit: settings.batchSize)
            if batch.isEmpty { break }
            sendAll(batch)
            handled += batch.count
        }
        return handled
    }

    /// Steps recorded as in flight ahead of the connections: enough that a connection never waits for the
    /// composing thread's next commit. After a crash, at most `2 × lookahead + connections` attempts are found in
    /// flight (recorded, maybe not sent) and reported as uncertain.
    var lookahead: Int { max(8, 2 * connections) }

    /// A pipeline, so a connection only ever talks SMTP: this thread prepares and composes the batch and records
    /// its steps as in flight a few at a time (one commit for several); one worker per connection sends; one
    /// recorder writes what the servers said, everything finished since its last commit in one commit. The batch
    /// waits in lists, not on blocked threads (which would starve every other piece of work in the process).
    private func sendAll(_ batch: [DueSend]) {
        let outbox = Handoff<Pending>(capacity: lookahead)
        let results = Handoff<Sent>()
        let sending = DispatchGroup()
        for _ in 0..<min(connections, batch.count) {
            workers.async(group: sending) { [self] in
                while let pending = outbox.take() {
                    if let sent = send(pending) { results.put(sent) }
                }
            }
        }
        let recording = DispatchGroup()
        workers.async(group: recording) { [self] in
            while let finished = results.takeAll() { recordAll(finished) }
        }

        // A chunk at a time: prepared here in order, composed on every core, recorded as in flight in one commit.
        var prospectsInBatch = Set<ProspectID>()
        var start = batch.startIndex
        while start < batch.endIndex {
            let chunk = batch[start..<min(start + lookahead, batch.endIndex)]
            start = chunk.endIndex
            let prepared = chunk.compactMap { prepare($0, prospectsInBatch: &prospectsInBatch) }
            let composed = compose(prepared)
            beginAll(composed, into: outbox)
        }
        outbox.close()
        sending.wait()
        results.close()
        recording.wait()
    }

    /// Plans a claimed step again; nil when it is not to be sent now (reported, or given back to the store).
    /// One step per prospect per batch: a second one is planned after the first went out, so the minimum gap sees
    /// it (two concurrent campaigns overdue after downtime must not send together).
    private func prepare(_ due: DueSend, prospectsInBatch: inout Set<ProspectID>) -> (StepRunner.Prepared, DueSend)? {
        if stopping.load(ordering: .relaxed) {
            // What has not started goes back to the store for the next run.
            try? store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
            return nil
        }
        do {
            switch try runner.prepare(due) {
            case .done(let outcome):
                report(StepReport(due: due, outcome: outcome, campaignID: nil, prospect: nil))
                return nil
            case .send(let prepared):
                guard prospectsInBatch.insert(prepared.prospect.id).inserted else {
                    try store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
                    return nil
                }
                return (prepared, due)
            }
        } catch {
            release(due, after: error)
            return nil
        }
    }

    /// Composes the steps in parallel: rendering is most of a send's CPU, and a connection waits for it.
    private func compose(_ prepared: [(StepRunner.Prepared, DueSend)]) -> [(StepRunner.Composed, DueSend)] {
        let slots = Mutex([StepRunner.Composed?](repeating: nil, count: prepared.count))
        DispatchQueue.concurrentPerform(iterations: prepared.count) { index in
            let (step, due) = prepared[index]
            do {
                switch try runner.compose(step) {
                case .done(let outcome): report(StepReport(due: due, prepared: step, outcome: outcome))
                case .next(let composed): slots.withLock { $0[index] = composed }
                }
            } catch {
                release(due, after: error)
            }
        }
        return zip(slots.withLock { $0 }, prepared).compactMap { slot, step in slot.map { ($0, step.1) } }
    }

    /// A step recorded as in flight, waiting for a connection.
    private struct Pending: Sendable {
        let begun: StepRunner.Begun
        let due: DueSend
    }

    /// What a connection did with a pending step.
    private struct Sent: Sendable {
        let pending: Pending
        let result: DeliveryResult
        let began: Date
    }

    /// Records the composed steps as in flight in one commit, then hands them to the connections.
    private func beginAll(_ composed: [(StepRunner.Composed, DueSend)], into outbox: Handoff<Pending>) {
        guard !composed.isEmpty else { return }
        var begun: [Pending] = []
        var reports: [StepReport] = []
        do {
            try store.grouped {
                for (step, due) in composed {
                    do {
                        switch try runner.begin(step) {
                        case .next(let step): begun.append(Pending(begun: step, due: due))
                        case .done(let outcome):
                            reports.append(StepReport(due: due, prepared: step.prepared, outcome: outcome))
                        }
                    } catch {
                        release(due, after: error)
                    }
                }
            }
        } catch {
            // Nothing of the group was recorded, so nothing was sent: every step goes back to the store.
            for (_, due) in composed { release(due, after: error) }
            return
        }
        reports.forEach(report)
        begun.forEach(outbox.put)
    }

    /// Sends one pending step over a connection of the pool; nil if a stop came first (the step is given back).
    private func send(_ pending: Pending) -> Sent? {
        let prepared = pending.begun.prepared
        let message = pending.begun.message
        let domain =
            prepared.planned.channel == .task
            ? prepared.campaign.owner.address.domain : prepared.prospect.email.domain
        let sent: (DeliveryResult, Date)? = domains.withSlot(for: domain) {
            transports.withTransport { transport in
                rate.waitForSlot()
                // Checked once a connection is ours: a stop that came while this send waited for one wins.
                guard !stopping.load(ordering: .relaxed) else { return nil }
                let began = clock.now()
                return (transport.send(message.bytes, from: message.envelopeFrom, to: message.envelopeTo), began)
            }
        }
        guard let (result, began) = sent else {
            do {
                try store.cancelDelivery(pending.begun.delivery.id, dueAt: pending.due.dueAt)
            } catch {
                // It stays in flight: the next start reports it as uncertain and does not send it.
                report(
                    StepReport(
                        due: pending.due, prepared: prepared,
                        outcome: .dropped("stopping; could not give the step back: \(error)")))
            }
            return nil
        }
        return Sent(pending: pending, result: result, began: began)
    }

    /// Records what the servers said about every step finished since the last commit, in one commit, then
    /// reports them and sends the owner's notes about steps that failed for good.
    private func recordAll(_ finished: [Sent]) {
        var recorded: [(Sent, StepRunner.Recorded)] = []
        do {
            try store.grouped {
                recorded = finished.compactMap { sent in recordOne(sent).map { (sent, $0) } }
            }
        } catch {
            // The commit failed: try each on its own, so one bad row does not lose the others' outcomes.
            recorded = finished.compactMap { sent in recordOne(sent).map { (sent, $0) } }
        }
        for (sent, outcome) in recorded {
            let reachedServer: Bool =
                switch outcome.outcome {
                case .delivered, .retrying, .failed, .bounced: true
                case .rescheduled, .skipped, .dropped: false
                }
            var stepReport = StepReport(due: sent.pending.due, prepared: sent.pending.begun.prepared, outcome: outcome.outcome)
            stepReport.lateness = reachedServer ? sent.began.timeIntervalSince(sent.pending.due.dueAt) : nil
            report(stepReport)
            if let notice = outcome.ownerNotice {
                // Best effort: the step is already recorded as failed, and the server that failed may fail this too.
                _ = transports.withTransport { $0.send(notice.bytes, from: notice.envelopeFrom, to: notice.envelopeTo) }
            }
        }
    }

    private func recordOne(_ sent: Sent) -> StepRunner.Recorded? {
        do {
            return try runner.record(sent.result, of: sent.pending.begun)
        } catch {
            // It stays in flight: the next start reports it as uncertain and does not send it again.
            report(
                StepReport(
                    due: sent.pending.due, prepared: sent.pending.begun.prepared,
                    outcome: .dropped("sent, but the outcome could not be recorded: \(error)")))
            return nil
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
