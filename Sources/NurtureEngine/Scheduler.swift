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
    /// Attempts in flight that the send journal shows never reached SMTP: due again, to be sent.
    public let givenBack: Int
}

/// Sends every step when it falls due: one Dispatch timer armed for the earliest due time (and at least every
/// `pollInterval`, to notice the CLI's changes), claiming due steps in batches, composing them on every core and
/// handing them to a `SendPipeline` of SMTP connections, within the rate limits.
public final class Scheduler: Sendable {
    private let runner: StepRunner
    private let store: any NurtureStore
    private let clock: any WallClock
    private let settings: EngineSettings
    private let lead: TimeInterval
    private let pipeline: SendPipeline
    private let queue = DispatchQueue(label: "nurture.scheduler")
    private let stopping: Stopping
    private let recorded: Recorded
    private let running = Atomic<Bool>(false)
    private let wakeQueued = Atomic<Bool>(false)
    private let timer = TimerSlot()
    private let report: @Sendable (StepReport) -> Void
    private let problem: @Sendable (String) -> Void
    private let notice: @Sendable (String) -> Void
    /// Set while the state database fails, so the failure is reported once, and its end once.
    private let storeFailing = Atomic<Bool>(false)

    /// The armed timer; touched only on `queue`, which is what makes the unchecked Sendable safe.
    private final class TimerSlot: @unchecked Sendable {
        var timer: DispatchSourceTimer?
    }

    /// Once the timer runs, every commit of outcomes wakes it: recording a step may have made the next one due
    /// (`wait: 0`), and it should not wait for the next poll. Weak, so the pipeline does not keep the scheduler.
    private final class Recorded: @unchecked Sendable {
        // Written once, in `init`, before the pipeline can call; then only read.
        weak var scheduler: Scheduler?
    }

    /// Set once, by a stop; read by the scheduler and its pipeline.
    private final class Stopping: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { flag.load(ordering: .relaxed) }
        func set() { flag.store(true, ordering: .relaxed) }
    }

    /// Steps composed at once and recorded as in flight in one commit.
    static let chunkSize = 32

    /// - Parameters:
    ///   - transports: one per connection (`settings.connections` of them), each reused across sends.
    ///   - lead: how far ahead of its instant, in engine time, a step is claimed, composed and recorded as in
    ///     flight, so its SMTP transaction starts at the instant rather than a few commits after it. A step
    ///     recorded ahead is in flight for that long: a crash then reports it as uncertain. Zero, unless a test
    ///     moves the manual clock from another thread.
    ///   - onOutcome: told about every step handled (for logs and tests); called on a worker thread.
    ///   - onProblem: told, once, when the scheduler itself cannot work (the state database failing, the SMTP
    ///     server down or refusing our login); sending pauses until it can.
    ///   - onNotice: told when it works again.
    ///   - journal: the process's send journal (one for every scheduler it makes), so that `recover()` tells
    ///     steps in flight that never reached SMTP from the ones that may have; nil calls them all uncertain.
    public init(
        runner: StepRunner, transports: [any MailTransport], lead: TimeInterval = 0,
        onOutcome: @escaping @Sendable (StepReport) -> Void = { _ in },
        onProblem: @escaping @Sendable (String) -> Void = { _ in },
        onNotice: @escaping @Sendable (String) -> Void = { _ in }, journal: SendJournal? = nil
    ) {
        self.runner = runner
        self.store = runner.store
        self.clock = runner.clock
        self.settings = runner.settings
        self.lead = max(0, lead)
        let stopping = Stopping()
        self.stopping = stopping
        self.report = onOutcome
        self.problem = onProblem
        self.notice = onNotice
        let recorded = Recorded()
        self.recorded = recorded
        self.pipeline = SendPipeline(
            runner: runner, transports: transports, chunkSize: Self.chunkSize, isStopping: { stopping.isSet },
            report: onOutcome, onRecorded: { recorded.scheduler?.wake() },
            onServerChange: { change in
                switch change {
                case .paused(let failure, let retryAt):
                    onProblem("sending is paused: \(failure); trying again at \(retryAt), then less and less often")
                case .resumed(let since):
                    onNotice("the SMTP server takes mail again (it failed from \(since)); sending resumes")
                }
            }, journal: journal)
        recorded.scheduler = self
    }

    deinit {
        pipeline.close()
    }

    /// At start-up: claims a stopped process left are released; attempts it left in flight that its send journal
    /// shows never reached SMTP are due again; the others are not resent (the server may have taken them) but
    /// recorded as uncertain, and their sequences move on.
    public func recover() throws -> RecoveryReport {
        try store.releaseClaims()
        let now = clock.now()
        var givenBack = 0
        for messageID in pipeline.journal?.neverHandedLastRun ?? [] {
            guard let delivery = try store.delivery(messageID: messageID), delivery.outcome == .inFlight else {
                continue
            }
            // Due at once: it was due, or at most the compose-ahead lead away, when it was begun.
            try store.cancelDelivery(delivery.id, dueAt: now)
            givenBack += 1
        }
        let uncertain = try store.markInFlightUncertain(at: now)
        for delivery in uncertain {
            try runner.moveOn(afterUncertain: delivery, now: now)
        }
        return RecoveryReport(uncertain: uncertain.count, givenBack: givenBack)
    }

    /// Handles every step due now and waits for the sends to finish and be recorded. Tests on a manual clock
    /// call it after moving the clock.
    @discardableResult
    public func runDue() throws -> Int {
        var handled = 0
        // Recording a step may make the next one due at once (`wait: 0`): claim again until nothing is.
        while true {
            let claimed = try storeWorks { try claimAndCompose() }
            pipeline.waitUntilIdle()
            if claimed == 0 { return handled }
            handled += claimed
        }
    }

    /// Claims every step due by now (plus the lead), composes it, records it as in flight and hands it to the
    /// pipeline; does not wait for the sends. Returns how many steps were claimed.
    @discardableResult
    private func claimAndCompose() throws -> Int {
        var handled = 0
        // Outcomes the database would not take come first; while it still will not, nothing new is claimed.
        try pipeline.recordKept()
        // While the SMTP server fails, steps stay in the store, due, and are claimed once it is to be tried again.
        while !stopping.isSet, pipeline.health.pausedUntil(now: clock.now()) == nil {
            var prospectsInBatch = Set<ProspectID>()
            var deferred = false
            // Claimed and planned again in one transaction: a batch's reads share one snapshot and one commit.
            let (claimed, ready) = try store.grouped {
                let batch = try store.claimDueSends(
                    dueBy: clock.now().addingTimeInterval(lead), limit: settings.batchSize)
                return (
                    batch.count,
                    batch.compactMap { prepare($0, prospectsInBatch: &prospectsInBatch, deferred: &deferred) }
                )
            }
            if claimed == 0 { break }
            var start = ready.startIndex
            while start < ready.endIndex {
                let chunk = Array(ready[start..<min(start + Self.chunkSize, ready.endIndex)])
                start += chunk.count
                pipeline.begin(compose(chunk))
            }
            handled += claimed
            // A step deferred for its prospect's step still in flight is due again at once: claim it only after
            // that one is recorded, so the gap sees it and the loop does not spin.
            if deferred { pipeline.waitUntilIdle() }
        }
        return handled
    }

    /// Plans a claimed step again; nil when it is not to be sent now (reported, or given back to the store).
    /// One step per prospect at a time: a second one is planned after the first is recorded, so the minimum gap
    /// sees it (two concurrent campaigns overdue after downtime must not send together).
    private func prepare(_ due: DueSend, prospectsInBatch: inout Set<ProspectID>, deferred: inout Bool)
        -> (StepRunner.Prepared, DueSend)?
    {
        if stopping.isSet {
            // What has not started goes back to the store for the next run.
            try? store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
            return nil
        }
        do {
            switch try runner.prepare(due, sendingBy: clock.now().addingTimeInterval(lead)) {
            case .done(let outcome):
                report(StepReport(due: due, outcome: outcome, campaignID: nil, prospect: nil))
                return nil
            case .send(let prepared):
                let prospect = prepared.prospect.id
                guard !pipeline.isBusy(prospect), prospectsInBatch.insert(prospect).inserted else {
                    try store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
                    deferred = true
                    return nil
                }
                return (prepared, due)
            }
        } catch {
            pipeline.release(due, after: error)
            return nil
        }
    }

    /// Composes the steps in parallel: rendering is most of a send's CPU.
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
                pipeline.release(due, after: error)
            }
        }
        return zip(slots.withLock { $0 }, prepared).compactMap { slot, step in slot.map { ($0, step.1) } }
    }

    // MARK: The timer

    /// Starts the timer loop on its own queue.
    public func start() {
        running.store(true, ordering: .relaxed)
        queue.async { [self] in tick() }
    }

    /// Looks at the store again now, rather than at the next poll: after an enrollment or event that may have
    /// made a step due (`wait: 0`), so it leaves at once. Waits its turn behind a batch in progress.
    public func wake() {
        guard running.load(ordering: .relaxed) else { return }
        // One look queued at a time: every commit of outcomes wakes the scheduler, and one look sees them all.
        guard !wakeQueued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { [self] in
            wakeQueued.store(false, ordering: .releasing)
            tick()
        }
    }

    /// Stops claiming new work at once, without waiting: what a shutdown does first, before anything else.
    public func beginStop() {
        stopping.set()
    }

    /// Stops claiming new work and waits up to `timeout` for sends in progress.
    /// Returns `false` if sends were still talking to a server when `timeout` ran out: they will be found in
    /// flight at the next start, recorded as uncertain and not resent.
    @discardableResult
    public func stop(timeout: TimeInterval) -> Bool {
        stopping.set()
        let deadline = DispatchTime.now() + timeout
        let drained = DispatchSemaphore(value: 0)
        // The batch in hand finishes on `queue` (steps not begun go back to the store); then the timer goes, and
        // the pipeline finishes the sends already talking to a server (the rest go back too).
        queue.async { [self] in
            timer.timer?.cancel()
            timer.timer = nil
            drained.signal()
        }
        guard drained.wait(timeout: deadline) == .success, pipeline.waitUntilIdle(timeout: deadline) else {
            return false
        }
        // Outcomes the state database would not take must be recorded before a replacement takes over, which
        // would not know them: until then the stop is not done (a reload waits and asks again).
        if pipeline.hasUnrecorded { try? pipeline.recordKept() }
        if pipeline.hasUnrecorded { return false }
        // Nothing claims after a stop: the connections' queues may end now rather than when this is released.
        pipeline.close()
        return true
    }

    private func tick() {
        guard !stopping.isSet else { return }
        do {
            let next = try storeWorks {
                let next = try store.nextDueTime()
                guard pipeline.hasUnrecorded || next.map({ $0 <= clock.now().addingTimeInterval(lead) }) == true
                else { return next }
                // What was claimed is no longer next: look again.
                try claimAndCompose()
                return try store.nextDueTime()
            }
            let due = next.map { $0.addingTimeInterval(-lead) }
            let paused = pipeline.health.pausedUntil(now: clock.now())
            arm(for: paused.map { paused in max(paused, due ?? paused) } ?? due)
        } catch {
            // The next poll tries again.
            arm(for: nil)
        }
    }

    /// Runs `body`, reporting the state database's failure once when it begins and once when it ends; after one,
    /// claims that steps could not give back (the database refused that too) are released, once nothing is in
    /// the pipeline, so those steps are not stranded until a restart.
    private func storeWorks<T>(_ body: () throws -> T) throws -> T {
        do {
            let value = try body()
            if storeFailing.exchange(false, ordering: .relaxed) {
                pipeline.waitUntilIdle()
                try store.releaseClaims()
                notice("the state database works again; sending resumes")
            }
            return value
        } catch {
            if !storeFailing.exchange(true, ordering: .relaxed) {
                problem(
                    "sending is paused, the state database failing: \(error); trying again every "
                        + "\(settings.pollInterval) s")
            }
            throw error
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
