import Dispatch
import Foundation
import NurtureCore
import NurtureMail
import NurtureSMTP
import NurtureStore
import Synchronization

/// What happens to a step once it is composed: a beginner records each chunk as in flight in one commit, one
/// serial queue per SMTP connection waits for the step's instant and sends it, and one recorder writes what the
/// servers said, everything finished since its last commit in one commit. It runs beside the scheduler's
/// claiming and composing, so the next chunk is composed while this one is committed, a connection only ever
/// talks SMTP, and the next steps are ready when it is free. `close()` lets its queues end.
final class SendPipeline: Sendable {
    /// A step recorded as in flight, waiting for a connection.
    struct Pending: Sendable {
        let begun: StepRunner.Begun
        let due: DueSend
    }

    /// What a connection did with a pending step.
    private struct Sent: Sendable {
        let pending: Pending
        let result: DeliveryResult
        let began: Date
    }

    private let runner: StepRunner
    private let transports: TransportPool<any MailTransport>
    private let domains: DomainLimiter
    private let rate: RateLimiter
    /// Whether the SMTP server takes mail; while it does not, sending pauses (see `ServerHealth`).
    let health: ServerHealth
    /// What the state database would not record (full, read-only, locked): the servers' outcomes, and steps given
    /// back unsent. Kept here, in order, and recorded when it works again, while nothing new is claimed or sent.
    /// A process that dies meanwhile finds those steps in flight at the next start and reports them as uncertain.
    private let unrecorded = Mutex<[Unrecorded]>([])

    private enum Unrecorded: Sendable {
        case outcome(Sent)
        case givenBack(Pending, reason: String)
    }
    private let composed: Handoff<[(StepRunner.Composed, DueSend)]>
    private let outbox: Handoff<Pending>
    private let results = Handoff<Sent>()
    /// Steps taken and not yet recorded (or given back): what `waitUntilIdle` waits for.
    private let unfinished = DispatchGroup()
    /// The prospects with a step in here: a second step for one of them waits until the first is recorded, so
    /// the minimum gap sees it.
    private let prospects = Mutex<[ProspectID: Int]>([:])
    /// How long, at most, an outcome waits for others to share its commit while more sends are under way.
    static let recordingPatience: TimeInterval = 0.005

    private let isStopping: @Sendable () -> Bool
    private let report: @Sendable (StepReport) -> Void
    private let onRecorded: @Sendable () -> Void
    private let onServerChange: @Sendable (ServerHealth.Change) -> Void
    /// Which steps in flight were handed to SMTP, for the next start after a crash; nil to call them all uncertain.
    let journal: SendJournal?

    /// - Parameter chunkSize: steps recorded as in flight per commit; `begin` blocks while two chunks wait to be
    ///   recorded, and the connections' queue holds two more.
    init(
        runner: StepRunner, transports: [any MailTransport], chunkSize: Int,
        isStopping: @escaping @Sendable () -> Bool, report: @escaping @Sendable (StepReport) -> Void,
        onRecorded: @escaping @Sendable () -> Void,
        onServerChange: @escaping @Sendable (ServerHealth.Change) -> Void = { _ in }, journal: SendJournal? = nil
    ) {
        self.journal = journal
        self.runner = runner
        self.transports = TransportPool(transports)
        self.domains = DomainLimiter(limit: runner.settings.connectionsPerDomain)
        self.rate = RateLimiter(perSecond: runner.settings.messagesPerSecond)
        self.health = ServerHealth(settings: runner.settings)
        self.onServerChange = onServerChange
        self.composed = Handoff(capacity: 2)
        self.outbox = Handoff(capacity: 2 * chunkSize)
        self.isStopping = isStopping
        self.report = report
        self.onRecorded = onRecorded
        Self.startThread("nurture.begin") { [self] in
            while let chunk = composed.take() { beginAll(chunk) }
        }
        for index in 0..<max(1, transports.count) {
            Self.startThread("nurture.send.\(index)") { [self] in
                while let pending = outbox.take() { send(pending) }
            }
        }
        Self.startThread("nurture.record") { [self] in
            // Every commit waits for the disk, so while steps still wait for a connection a few more are let finish.
            while let finished = results.takeAll(
                atLeast: chunkSize, patience: Self.recordingPatience, moreComing: { outbox.count > 0 })
            {
                recordAll(finished)
            }
        }
    }

    /// Lets the threads end once what they hold is done; nothing may be accepted after.
    func close() {
        composed.close()
        outbox.close()
        // The recorder ends after the senders have handed it their last result.
        DispatchQueue.global().async { [self] in
            unfinished.wait()
            results.close()
        }
    }

    /// Whether the prospect has a step in here, not yet recorded.
    func isBusy(_ prospect: ProspectID) -> Bool {
        prospects.withLock { $0[prospect] != nil }
    }

    /// Takes a chunk of composed steps, to be recorded as in flight in one commit and sent; blocks while two
    /// chunks wait. After `close` the steps go back to the store instead.
    func begin(_ chunk: [(StepRunner.Composed, DueSend)]) {
        guard !chunk.isEmpty else { return }
        for (step, _) in chunk {
            unfinished.enter()
            prospects.withLock { $0[step.prepared.prospect.id, default: 0] += 1 }
        }
        if !composed.put(chunk) { giveBack(unbegun: chunk) }
    }

    /// Steps never recorded as in flight: back to the store for the next run, due as they were.
    private func giveBack(unbegun chunk: [(StepRunner.Composed, DueSend)]) {
        for (step, due) in chunk {
            try? runner.store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
            finished(step.prepared)
        }
    }

    /// A state-database error on one step: give it back for a later try, not at once (a lasting error would
    /// otherwise spin), and say so.
    func release(_ due: DueSend, after error: any Error) {
        let later = runner.clock.now().addingTimeInterval(runner.settings.firstRetryDelay)
        try? runner.store.reschedule(enrollmentID: due.enrollmentID, to: later)
        report(
            StepReport(
                due: due, outcome: .dropped("state database error, trying again at \(later): \(error)"),
                campaignID: nil, prospect: nil))
    }

    /// Waits until every accepted step is recorded or given back; false if `timeout` ran out first.
    @discardableResult
    func waitUntilIdle(timeout: DispatchTime = .distantFuture) -> Bool {
        unfinished.wait(timeout: timeout) == .success
    }

    private func finished(_ prepared: StepRunner.Prepared) {
        let prospect = prepared.prospect.id
        prospects.withLock { counts in
            counts[prospect, default: 1] -= 1
            if counts[prospect] == 0 { counts[prospect] = nil }
            // Under the lock, so no step can be begun meanwhile: with none in here, none of ours is in flight.
            // Kept steps (see `unrecorded`) are still in flight: their lines stay.
            if counts.isEmpty && !hasUnrecorded { journal?.reset() }
        }
        unfinished.leave()
    }

    // MARK: Recording the attempts

    /// Records a chunk's steps as in flight in one commit, then hands them to the connections.
    private func beginAll(_ chunk: [(StepRunner.Composed, DueSend)]) {
        guard !isStopping() else { return giveBack(unbegun: chunk) }
        var begun: [Pending] = []
        var done: [(StepRunner.Prepared, StepReport?)] = []
        // Before the commit, so no step can be in flight without its line; a line for a step the commit did not
        // record names no delivery and is passed over.
        journal?.begun(chunk.map(\.0.message.messageID))
        do {
            try runner.store.grouped {
                for (step, due) in chunk {
                    do {
                        switch try runner.begin(step) {
                        case .next(let step): begun.append(Pending(begun: step, due: due))
                        case .done(let outcome):
                            done.append(
                                (step.prepared, StepReport(due: due, prepared: step.prepared, outcome: outcome)))
                        }
                    } catch {
                        release(due, after: error)
                        done.append((step.prepared, nil))
                    }
                }
            }
        } catch {
            // Nothing of the group was recorded, so nothing was sent: every step goes back to the store.
            for (step, due) in chunk {
                release(due, after: error)
                finished(step.prepared)
            }
            return
        }
        for (prepared, stepReport) in done {
            stepReport.map(report)
            finished(prepared)
        }
        for pending in begun where !outbox.put(pending) {
            giveBack(pending, because: "the engine stopped")
        }
    }

    // MARK: Sending

    private func send(_ pending: Pending) {
        let prepared = pending.begun.prepared
        let clock = runner.clock
        // Composed ahead of its instant: wait for it.
        if prepared.sendAt > clock.now() { clock.wait(until: prepared.sendAt, unless: isStopping) }
        guard !isStopping() else { return giveBack(pending, because: "the engine stopped") }
        let message = pending.begun.message
        let domain =
            prepared.planned.channel == .task
            ? prepared.campaign.owner.address.domain : prepared.prospect.email.domain
        let sent: Result<(DeliveryResult, Date), NotSent> = domains.withSlot(for: domain) {
            transports.withTransport { transport in
                rate.waitForSlot()
                // Looked at once a connection is ours, since the step may have waited for one: a stop, a reply or
                // an unsubscribe that came meanwhile wins, and a window that closed meanwhile is not crossed.
                if let reason = reasonNotToSend(prepared) { return .failure(NotSent(reason: reason)) }
                // Last, as it may make this send the one that probes a server found failing.
                if case .paused(let until) = health.admit(now: clock.now()) {
                    return .failure(
                        NotSent(reason: "sending is paused until \(until), the SMTP server failing", quietly: true))
                }
                let began = clock.now()
                if let journal, !journal.handing(message.messageID) {
                    return .failure(NotSent(reason: "the send journal beside the state database cannot be written"))
                }
                let result = transport.send(message.bytes, from: message.envelopeFrom, to: message.envelopeTo)
                if let change = health.record(result, at: clock.now()) { onServerChange(change) }
                return .success((result, began))
            }
        }
        switch sent {
        case .failure(let notSent):
            giveBack(pending, because: notSent.reason, quietly: notSent.quietly)
        case .success(let (.transientFailure(failure), _)) where failure.concernsServer:
            // Nothing of this transaction reached the server, and the fault is not the recipient's: the step waits
            // for the server without spending an attempt, as its next turn would fail alike.
            giveBack(pending, because: "\(failure)", quietly: true)
        case .success(let (result, began)):
            // The recorder closes only once every step taken is finished, so this one is always taken.
            results.put(Sent(pending: pending, result: result, began: began))
        }
    }

    private struct NotSent: Error {
        let reason: String
        /// Paused for a failing server: said once for all, by `onServerChange`, not once per step.
        var quietly = false
    }

    /// Why a step recorded as in flight must not go out now, if it must not.
    private func reasonNotToSend(_ prepared: StepRunner.Prepared) -> String? {
        if isStopping() { return "the engine stopped" }
        if hasUnrecorded { return "the state database would not record the last outcomes" }
        let now = runner.clock.now()
        let step = prepared.campaign.steps[prepared.planned.index]
        if let window = prepared.campaign.sendWindow(for: step), !window.contains(now, in: prepared.planned.calendar) {
            return "its send window closed while it waited"
        }
        switch Result(catching: { try runner.store.enrollmentStatus(id: prepared.enrollment.id) }) {
        case .success(.active): return nil
        case .success: return "the enrollment ended while it waited"
        case .failure(let error): return "the state database failed: \(error)"
        }
    }

    /// An attempt that never reached SMTP: forgotten, and its step back in the store as it was.
    private func giveBack(_ pending: Pending, because reason: String, quietly: Bool = false) {
        defer { finished(pending.begun.prepared) }
        let prepared = pending.begun.prepared
        do {
            try runner.store.cancelDelivery(pending.begun.delivery.id, dueAt: pending.due.dueAt)
            if !quietly {
                report(StepReport(due: pending.due, prepared: prepared, outcome: .dropped("not sent: \(reason)")))
            }
            onRecorded()
        } catch {
            unrecorded.withLock { $0.append(.givenBack(pending, reason: reason)) }
            report(
                StepReport(
                    due: pending.due, prepared: prepared,
                    outcome: .dropped(
                        "not sent (\(reason)); the step is given back once the state database works again: \(error)"
                    )))
        }
    }

    // MARK: Recording

    /// Records what the servers said about every step finished since the last commit, in one commit, then
    /// reports them and sends the owner's notes about steps that failed for good.
    private func recordAll(_ finished: [Sent]) {
        var recorded: [(Sent, StepRunner.Recorded)] = []
        // Kept outcomes go first: they are older, and while any is kept the database is known to be failing.
        if !hasUnrecorded {
            do {
                try runner.store.grouped {
                    recorded = try finished.map { sent in (sent, try recordOne(sent)) }
                }
            } catch let error as StoreError where error.code == .busy {
                // Locked by another process: each on its own would wait as long again.
                for sent in finished { keep(sent, after: error) }
            } catch {
                // The commit failed: try each on its own, so one bad row does not hold back the others' outcomes.
                recorded = finished.compactMap { sent in
                    do {
                        return (sent, try recordOne(sent))
                    } catch {
                        keep(sent, after: error)
                        return nil
                    }
                }
            }
        } else {
            unrecorded.withLock { $0 += finished.map(Unrecorded.outcome) }
        }
        finish(recorded)
        finished.forEach { self.finished($0.pending.begun.prepared) }
    }

    /// Reports recorded steps and sends the owner's notes about steps that failed for good.
    private func finish(_ recorded: [(Sent, StepRunner.Recorded)]) {
        var notices: [EncodedMessage] = []
        for (sent, outcome) in recorded {
            let reachedServer: Bool =
                switch outcome.outcome {
                case .delivered, .retrying, .failed, .bounced, .uncertain: true
                case .rescheduled, .skipped, .dropped: false
                }
            var stepReport = StepReport(
                due: sent.pending.due, prepared: sent.pending.begun.prepared, outcome: outcome.outcome)
            stepReport.lateness = reachedServer ? sent.began.timeIntervalSince(sent.pending.due.dueAt) : nil
            report(stepReport)
            notices += outcome.ownerNotice.map { [$0] } ?? []
        }
        onRecorded()
        for notice in notices {
            // Best effort: the step is already recorded as failed, and the server that failed may fail this too.
            // Sent before the steps count as finished, so whoever waits for the pipeline sees the note too.
            _ = transports.withTransport { $0.send(notice.bytes, from: notice.envelopeFrom, to: notice.envelopeTo) }
        }
    }

    private func recordOne(_ sent: Sent) throws -> StepRunner.Recorded {
        try runner.record(sent.result, of: sent.pending.begun, sentAt: sent.began)
    }

    /// Keeps an outcome for `recordKept`, and says so.
    private func keep(_ sent: Sent, after error: any Error) {
        unrecorded.withLock { $0.append(.outcome(sent)) }
        report(
            StepReport(
                due: sent.pending.due, prepared: sent.pending.begun.prepared,
                outcome: .dropped(
                    "sent, but the outcome could not be recorded yet (kept, and recorded once the state database "
                        + "works again; sending is paused meanwhile): \(error)")))
    }

    /// Whether outcomes or steps given back wait to be recorded: nothing new is claimed or sent until they are.
    var hasUnrecorded: Bool { unrecorded.withLock { !$0.isEmpty } }

    /// Records what was kept, oldest first, in one commit; throws the database's error if it still fails.
    func recordKept() throws {
        let kept = unrecorded.withLock { kept in
            defer { kept = [] }
            return kept
        }
        guard !kept.isEmpty else { return }
        var recorded: [(Sent, StepRunner.Recorded)] = []
        var givenBack: [(Pending, String)] = []
        do {
            try runner.store.grouped {
                for item in kept {
                    switch item {
                    case .outcome(let sent): recorded.append((sent, try recordOne(sent)))
                    case .givenBack(let pending, let reason):
                        try runner.store.cancelDelivery(pending.begun.delivery.id, dueAt: pending.due.dueAt)
                        givenBack.append((pending, reason))
                    }
                }
            }
        } catch {
            unrecorded.withLock { $0 = kept + $0 }
            throw error
        }
        for (pending, reason) in givenBack {
            report(
                StepReport(
                    due: pending.due, prepared: pending.begun.prepared, outcome: .dropped("not sent: \(reason)")))
        }
        finish(recorded)
    }

    /// A serial queue of its own, which Dispatch gives a thread of its own while the body blocks in it. Not a
    /// Foundation `Thread`: one exiting corrupted glibc's heap in the tests (seen at `tcache_thread_shutdown`).
    private static func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        DispatchQueue(label: name).async(execute: body)
    }
}
