import Dispatch
import Foundation
import NurtureCore
import NurtureSMTP
import NurtureStore
import Synchronization

/// What happens to a step once it is recorded as in flight: one thread per SMTP connection waits for the step's
/// instant and sends it, and one recorder writes what the servers said, everything finished since its last
/// commit in one commit. It runs beside the scheduler's claiming and composing, so a connection only ever talks
/// SMTP and the next steps are ready when it is free. `close()` lets its threads end.
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
    private let outbox: Handoff<Pending>
    private let results = Handoff<Sent>()
    /// Steps accepted and not yet recorded (or given back): what `waitUntilIdle` waits for.
    private let unfinished = DispatchGroup()
    /// The prospects with a step in here: a second step for one of them waits until the first is recorded, so
    /// the minimum gap sees it.
    private let prospects = Mutex<[ProspectID: Int]>([:])
    private let isStopping: @Sendable () -> Bool
    private let report: @Sendable (StepReport) -> Void
    private let onRecorded: @Sendable () -> Void

    /// - Parameter capacity: steps that may wait for a connection; `accept` blocks while that many do.
    init(
        runner: StepRunner, transports: [any MailTransport], capacity: Int,
        isStopping: @escaping @Sendable () -> Bool, report: @escaping @Sendable (StepReport) -> Void,
        onRecorded: @escaping @Sendable () -> Void
    ) {
        self.runner = runner
        self.transports = TransportPool(transports)
        self.domains = DomainLimiter(limit: runner.settings.connectionsPerDomain)
        self.rate = RateLimiter(perSecond: runner.settings.messagesPerSecond)
        self.outbox = Handoff(capacity: capacity)
        self.isStopping = isStopping
        self.report = report
        self.onRecorded = onRecorded
        for index in 0..<max(1, transports.count) {
            Self.startThread("nurture.send.\(index)") { [self] in
                while let pending = outbox.take() { send(pending) }
            }
        }
        Self.startThread("nurture.record") { [self] in
            while let finished = results.takeAll() { recordAll(finished) }
        }
    }

    /// Lets the threads end once what they hold is done; nothing may be accepted after.
    func close() {
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

    /// Takes a step recorded as in flight; blocks while `capacity` steps wait for a connection.
    func accept(_ pending: Pending) {
        unfinished.enter()
        prospects.withLock { $0[pending.begun.prepared.prospect.id, default: 0] += 1 }
        outbox.put(pending)
    }

    /// Waits until every accepted step is recorded or given back; false if `timeout` ran out first.
    @discardableResult
    func waitUntilIdle(timeout: DispatchTime = .distantFuture) -> Bool {
        unfinished.wait(timeout: timeout) == .success
    }

    private func finished(_ pending: Pending) {
        let prospect = pending.begun.prepared.prospect.id
        prospects.withLock { counts in
            counts[prospect, default: 1] -= 1
            if counts[prospect] == 0 { counts[prospect] = nil }
        }
        unfinished.leave()
    }

    // MARK: Sending

    private func send(_ pending: Pending) {
        let prepared = pending.begun.prepared
        let clock = runner.clock
        if prepared.sendAt > clock.now() {
            // Composed ahead of its instant: wait for it, and send only if nothing ended the sequence meanwhile.
            clock.wait(until: prepared.sendAt, unless: isStopping)
            if !isStopping(), (try? runner.store.enrollment(id: prepared.enrollment.id))?.status != .active {
                giveBack(pending, because: "the enrollment ended before the step's instant")
                return
            }
        }
        let message = pending.begun.message
        let domain =
            prepared.planned.channel == .task
            ? prepared.campaign.owner.address.domain : prepared.prospect.email.domain
        let sent: (DeliveryResult, Date)? = domains.withSlot(for: domain) {
            transports.withTransport { transport in
                rate.waitForSlot()
                // Checked once a connection is ours: a stop that came while this send waited for one wins.
                guard !isStopping() else { return nil }
                let began = clock.now()
                return (transport.send(message.bytes, from: message.envelopeFrom, to: message.envelopeTo), began)
            }
        }
        guard let (result, began) = sent else {
            giveBack(pending, because: "stopping")
            return
        }
        results.put(Sent(pending: pending, result: result, began: began))
    }

    /// An attempt that never reached SMTP: forgotten, and its step back in the store as it was.
    private func giveBack(_ pending: Pending, because reason: String) {
        defer { finished(pending) }
        let prepared = pending.begun.prepared
        do {
            try runner.store.cancelDelivery(pending.begun.delivery.id, dueAt: pending.due.dueAt)
            report(StepReport(due: pending.due, prepared: prepared, outcome: .dropped("not sent: \(reason)")))
        } catch {
            // It stays in flight: the next start reports it as uncertain and does not send it.
            report(
                StepReport(
                    due: pending.due, prepared: prepared,
                    outcome: .dropped("not sent (\(reason)); could not give the step back: \(error)")))
        }
    }

    // MARK: Recording

    /// Records what the servers said about every step finished since the last commit, in one commit, then
    /// reports them and sends the owner's notes about steps that failed for good.
    private func recordAll(_ finished: [Sent]) {
        var recorded: [(Sent, StepRunner.Recorded)] = []
        do {
            try runner.store.grouped {
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
            var stepReport = StepReport(
                due: sent.pending.due, prepared: sent.pending.begun.prepared, outcome: outcome.outcome)
            stepReport.lateness = reachedServer ? sent.began.timeIntervalSince(sent.pending.due.dueAt) : nil
            report(stepReport)
            if let notice = outcome.ownerNotice {
                // Best effort: the step is already recorded as failed, and the server that failed may fail this too.
                _ = transports.withTransport { $0.send(notice.bytes, from: notice.envelopeFrom, to: notice.envelopeTo) }
            }
        }
        finished.forEach { self.finished($0.pending) }
        onRecorded()
    }

    private func recordOne(_ sent: Sent) -> StepRunner.Recorded? {
        do {
            return try runner.record(sent.result, of: sent.pending.begun, sentAt: sent.began)
        } catch {
            // It stays in flight: the next start reports it as uncertain and does not send it again.
            report(
                StepReport(
                    due: sent.pending.due, prepared: sent.pending.begun.prepared,
                    outcome: .dropped("sent, but the outcome could not be recorded: \(error)")))
            return nil
        }
    }

    /// A serial queue of its own, which Dispatch gives a thread of its own while the body blocks in it.
    private static func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        DispatchQueue(label: name).async(execute: body)
    }
}
