import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureMail
import NurtureSMTP
import NurtureStore
import NurtureTimeline

/// What became of one claimed step.
public enum StepRunOutcome: Sendable, Equatable {
    case delivered(SMTPReply)
    case rescheduled(Date)
    case skipped(String)
    case retrying(at: Date, SMTPFailure)
    case failed(SMTPFailure)
    case bounced(SMTPFailure)
    /// The server stopped answering once it had the whole message: it may have it, so it is not sent again.
    case uncertain(SMTPFailure)
    /// The enrollment ended, the campaign is gone, or the step already went out.
    case dropped(String)
}

/// Takes one claimed due step through the sending semantics: plan it again (windows, gap, lateness, channel),
/// compose it, record the attempt before SMTP, and after SMTP record the outcome and move the enrollment on, all
/// through the store. The `Scheduler` runs the phases on different threads, so a connection only ever sends.
public struct StepRunner: Sendable {
    let store: any NurtureStore
    let catalog: CampaignCatalog
    let clock: any WallClock
    let settings: EngineSettings
    let composer: StepComposer
    let random: @Sendable () -> Double

    public init(
        store: any NurtureStore, catalog: CampaignCatalog, clock: any WallClock, settings: EngineSettings,
        composer: StepComposer, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.settings = settings
        self.composer = composer
        self.random = random
    }

    /// Everything needed to send the step, or the reason it will not be sent now.
    enum Preparation {
        case send(Prepared)
        case done(StepRunOutcome)
    }

    struct Prepared: Sendable {
        let enrollment: Enrollment
        let prospect: StoredProspect
        let campaign: Campaign
        let planned: PlannedStep
        let planner: StepPlanner
        let attempt: Int
        /// The instant it goes out: now, or a moment ahead when it was claimed ahead of its time.
        let sendAt: Date
    }

    /// How long a step waits when its campaign is not loaded (a broken or missing file).
    static let missingCampaignRetry: TimeInterval = 3600

    /// Decides what to do with a claimed step; sends nothing. A step due by `horizon` (now, or a moment ahead)
    /// is to be sent, at its time; one due later is given back with its new time.
    func prepare(_ due: DueSend, sendingBy horizon: Date? = nil) throws -> Preparation {
        let now = clock.now()
        guard let enrollment = try store.enrollment(id: due.enrollmentID), enrollment.status == .active else {
            try store.reschedule(enrollmentID: due.enrollmentID, to: due.dueAt)
            return .done(.dropped("the enrollment is no longer active"))
        }
        guard let prospect = try store.prospect(id: enrollment.prospectID) else {
            return .done(.dropped("the prospect is gone"))
        }
        if let suppression = try store.suppression(email: prospect.email) {
            // Only the reasons the engine itself writes mean something; an imported list's own words do not.
            let reason: StopReason =
                switch suppression.reason {
                case "unsubscribe": .unsubscribe
                case "bounce": .bounce
                default: .suppressed
                }
            _ = try store.endEnrollments(prospectID: prospect.id, campaignID: nil, reason: reason, at: now)
            return .done(.dropped("\(prospect.email) is suppressed"))
        }
        guard let campaign = catalog.campaign(id: enrollment.campaignID) else {
            // A file with a typo, or a folder not mounted yet, must not end anyone's sequence: wait for it.
            let later = now.addingTimeInterval(Self.missingCampaignRetry)
            try store.reschedule(enrollmentID: enrollment.id, to: later)
            return .done(.rescheduled(later))
        }
        guard let index = campaign.steps.firstIndex(where: { $0.id == due.stepID }) else {
            return .done(try moveOnFromRemovedStep(due, enrollment: enrollment, campaign: campaign, now: now))
        }
        let planner = try settings.planner(for: campaign, prospect: prospect, enrollment: enrollment, store: store)
        let lastEmail = try store.lastEmailSent(prospectID: prospect.id)
        guard let planned = planner.dueStep(due, at: index, of: enrollment, lastEmailSent: lastEmail, now: now) else {
            return .done(.dropped("no such step"))
        }
        if planned.isSkipped {
            let reason = planned.explanations.joined(separator: "; ")
            let next = nextAction(after: index, planner: planner, anchor: now, lastEmail: lastEmail, now: now)
            try store.skipStep(enrollmentID: enrollment.id, stepID: due.stepID, note: reason, at: now, next: next)
            return .done(.skipped(reason))
        }
        // A retry keeps its backoff time; otherwise the window or the gap may have moved the step since it was
        // scheduled (another campaign emailed the prospect, the daemon was down over a weekend).
        let sendAt = due.attempt > 0 ? max(due.dueAt, planned.due) : planned.due
        if sendAt > max(horizon ?? now, now) {
            try store.reschedule(enrollmentID: enrollment.id, to: sendAt)
            return .done(.rescheduled(sendAt))
        }
        return .send(
            Prepared(
                enrollment: enrollment, prospect: prospect, campaign: campaign, planned: planned, planner: planner,
                attempt: due.attempt, sendAt: max(sendAt, now)))
    }

    /// A step's message, made and checked against its window, ready to be recorded as in flight.
    struct Composed: Sendable {
        let prepared: Prepared
        let message: EncodedMessage
        let start: DeliveryStart
    }

    /// A step recorded as in flight: what a connection sends.
    struct Begun: Sendable {
        let prepared: Prepared
        let message: EncodedMessage
        let delivery: Delivery
    }

    enum Step<Next: Sendable>: Sendable {
        case next(Next)
        case done(StepRunOutcome)
    }

    /// Makes the message of a prepared step; sends and records nothing, except a skip or a new time when the
    /// step cannot go out now.
    func compose(_ prepared: Prepared) throws -> Step<Composed> {
        let step = prepared.campaign.steps[prepared.planned.index]
        let thread = step.repliesInThread ? try store.lastDeliveredEmail(enrollmentID: prepared.enrollment.id) : nil
        // The message carries its instant in its Date header: the later of the planned one and now.
        let composedAt = max(prepared.sendAt, clock.now())
        let composed: ComposedStep
        do {
            composed = try composer.compose(
                step, of: prepared.campaign, for: prepared.prospect.asProspect, at: composedAt,
                asTask: prepared.planned.channel == .task,
                replyingTo: thread.flatMap { delivery in
                    delivery.messageID.map { ThreadReference(messageID: $0, subject: delivery.subject ?? "") }
                })
        } catch {
            // A template that cannot be filled for this prospect will not fill on retry either.
            let now = clock.now()
            let next = nextAction(
                after: prepared.planned.index, planner: prepared.planner, anchor: now,
                lastEmail: try store.lastEmailSent(prospectID: prepared.prospect.id), now: now)
            try store.skipStep(
                enrollmentID: prepared.enrollment.id, stepID: step.id, note: "\(error)", at: now, next: next)
            return .done(.skipped("\(error)"))
        }
        // Between planning and now a loaded machine (or a fast virtual clock) may have crossed the window's close:
        // then it waits for the next opening instead.
        if let window = prepared.campaign.sendWindow(for: step),
            !window.contains(composedAt, in: prepared.planned.calendar)
        {
            let opening = window.nextOpening(atOrAfter: composedAt, in: prepared.planned.calendar)
            try store.reschedule(enrollmentID: prepared.enrollment.id, to: opening)
            return .done(.rescheduled(opening))
        }
        let message = composed.message
        let start = DeliveryStart(
            enrollmentID: prepared.enrollment.id, stepID: step.id, attempt: prepared.attempt + 1,
            channel: prepared.planned.channel == .task ? .phone : .email, recipient: message.envelopeTo.description,
            messageID: message.messageID, subject: composed.subject, startedAt: composedAt)
        return .next(Composed(prepared: prepared, message: message, start: start))
    }

    /// Records the attempt as in flight, before SMTP; inside `store.grouped`, many share one commit.
    func begin(_ composed: Composed) throws -> Step<Begun> {
        let prepared = composed.prepared
        let at = composed.start.startedAt
        guard let delivery = try store.beginDelivery(composed.start) else {
            // Paused or ended meanwhile: give the step back (an ended one has no due step left to give).
            guard try store.enrollment(id: prepared.enrollment.id)?.status == .active else {
                try store.reschedule(enrollmentID: prepared.enrollment.id, to: at)
                return .done(.dropped("the enrollment is no longer active"))
            }
            // Already delivered, in flight or uncertain: never again, and the sequence goes on.
            let next = nextAction(
                after: prepared.planned.index, planner: prepared.planner, anchor: at,
                lastEmail: try store.lastEmailSent(prospectID: prepared.prospect.id), now: at)
            try store.skipStep(
                enrollmentID: prepared.enrollment.id, stepID: composed.start.stepID, note: "already went out", at: at,
                next: next)
            return .done(.skipped("step `\(composed.start.stepID)` already went out for this enrollment"))
        }
        return .next(Begun(prepared: prepared, message: composed.message, delivery: delivery))
    }

    /// What the server said, recorded, and the note to send the owner if the step has failed for good.
    struct Recorded: Sendable {
        let outcome: StepRunOutcome
        /// Best effort: sent after the outcome is recorded, by whoever holds a connection.
        let ownerNotice: EncodedMessage?
    }

    /// Records what the server said, and when its transaction began, and moves the enrollment on; inside
    /// `store.grouped`, many share one commit.
    func record(_ result: DeliveryResult, of begun: Begun, sentAt began: Date) throws -> Recorded {
        let delivery = begun.delivery
        let prepared = begun.prepared
        let now = clock.now()
        switch result {
        case .delivered(let reply):
            let lastEmail = delivery.channel == .email ? now : try store.lastEmailSent(prospectID: delivery.prospectID)
            let next = nextAction(
                after: prepared.planned.index, planner: prepared.planner, anchor: now, lastEmail: lastEmail, now: now)
            try store.finishDelivery(
                delivery.id,
                result: DeliveryResultRecord(
                    outcome: .delivered, smtpCode: reply.code, smtpText: reply.text, startedAt: began,
                    finishedAt: now),
                next: next)
            return Recorded(outcome: .delivered(reply), ownerNotice: nil)
        case .transientFailure(let failure) where failure.mayHaveBeenDelivered:
            // Never twice: like a step in flight at a crash, it counts as gone out and the sequence moves on.
            let next = nextAction(
                after: prepared.planned.index, planner: prepared.planner, anchor: now,
                lastEmail: delivery.channel == .email ? now : try store.lastEmailSent(prospectID: delivery.prospectID),
                now: now)
            try store.finishDelivery(
                delivery.id,
                result: DeliveryResultRecord(
                    outcome: .uncertain, smtpCode: failure.code, smtpText: failure.description,
                    note: "the server may have taken it; not resent", startedAt: began, finishedAt: now),
                next: next)
            return Recorded(outcome: .uncertain(failure), ownerNotice: nil)
        case .transientFailure(let failure):
            let record = DeliveryResultRecord(
                outcome: .transientFailure, smtpCode: failure.code, smtpText: failure.description, startedAt: began,
                finishedAt: now)
            if delivery.attempt < settings.maxAttempts {
                let retryAt = now.addingTimeInterval(
                    settings.retryDelay(afterAttempt: delivery.attempt, jitter: random()))
                try store.finishDelivery(
                    delivery.id, result: record, next: .retry(dueAt: retryAt, attempt: delivery.attempt))
                return Recorded(outcome: .retrying(at: retryAt, failure), ownerNotice: nil)
            }
            var failed = record
            failed.outcome = .failed
            failed.note = "gave up after \(delivery.attempt) attempts"
            try store.finishDelivery(delivery.id, result: failed, next: .stop(.deliveryFailed))
            return Recorded(
                outcome: .failed(failure),
                ownerNotice: ownerNotice(about: failure, attempts: delivery.attempt, prepared: prepared))
        case .permanentFailure(let failure):
            let record = DeliveryResultRecord(
                outcome: .permanentFailure, smtpCode: failure.code, smtpText: failure.description, startedAt: began,
                finishedAt: now)
            // A task refused at the owner's address says nothing about the prospect, nor does a message refused
            // for what it says (5.7.1 policy, 5.3.4 too big), rather than for its mailbox (5.1.x, or no enhanced
            // code): the step has failed for good, and the sequence goes on.
            guard delivery.channel == .email, !failure.refusesTheMessageNotTheMailbox else {
                let next = nextAction(
                    after: prepared.planned.index, planner: prepared.planner, anchor: now,
                    lastEmail: try store.lastEmailSent(prospectID: delivery.prospectID), now: now)
                try store.finishDelivery(delivery.id, result: record, next: next)
                return Recorded(outcome: .failed(failure), ownerNotice: nil)
            }
            try store.finishDelivery(delivery.id, result: record, next: .stop(.bounce))
            _ = try store.recordEvent(
                EventDraft(
                    prospectID: delivery.prospectID, kind: .bounce, campaignID: delivery.campaignID,
                    occurredAt: now, source: "smtp", detail: failure.description))
            try store.suppress(prepared.prospect.email, reason: "bounce", source: "smtp", at: now)
            _ = try store.endEnrollments(prospectID: delivery.prospectID, campaignID: nil, reason: .bounce, at: now)
            return Recorded(outcome: .bounced(failure), ownerNotice: nil)
        }
    }

    /// The owner's note that a step could not be delivered; nil if it cannot be made.
    private func ownerNotice(about failure: SMTPFailure, attempts: Int, prepared: Prepared) -> EncodedMessage? {
        let step = prepared.campaign.steps[prepared.planned.index]
        let who = prepared.prospect.email.description
        return try? composer.ownerNotice(
            "\(who) did not get step `\(step.id)`",
            text: "Step `\(step.id)` of \(prepared.campaign.name) could not be delivered to \(who) after "
                + "\(attempts) attempts, so the sequence has stopped.\n\nLast error: \(failure)",
            step: step, of: prepared.campaign, for: prepared.prospect.asProspect
        ).message
    }

    /// After step `index`: the next step's time, or the end of the sequence.
    func nextAction(after index: Int, planner: StepPlanner, anchor: Date, lastEmail: Date?, now: Date) -> NextAction {
        guard let next = planner.nextStep(index: index + 1, anchor: anchor, lastEmailSent: lastEmail, now: now) else {
            return .complete
        }
        return .schedule(stepID: next.stepID, dueAt: next.due)
    }

    /// The campaign file changed under the enrollment and its step is gone: go on with the step after the last
    /// one that went out, so the prospect keeps their place. When that one is gone too, the place is the number
    /// of steps already taken: never back to the start, which would send the first email again.
    private func moveOnFromRemovedStep(_ due: DueSend, enrollment: Enrollment, campaign: Campaign, now: Date) throws
        -> StepRunOutcome
    {
        let position: Int
        if let last = enrollment.lastStepID, let index = campaign.steps.firstIndex(where: { $0.id == last }) {
            position = index + 1
        } else {
            let taken = try store.deliveries(prospectID: enrollment.prospectID)
                .filter { $0.enrollmentID == enrollment.id && $0.outcome != .transientFailure }
            position = Set(taken.map(\.stepID)).count
        }
        let next: NextAction =
            campaign.steps.indices.contains(position)
            ? .schedule(stepID: campaign.steps[position].id, dueAt: now) : .complete
        try store.skipStep(
            enrollmentID: enrollment.id, stepID: due.stepID, note: "step removed from the campaign", at: now,
            next: next)
        return .skipped("step `\(due.stepID)` was removed from the campaign")
    }
}

extension StepRunner {
    /// After a crash: the attempt may have gone out, so it is not resent; the sequence goes on from it.
    func moveOn(afterUncertain delivery: Delivery, now: Date) throws {
        guard let enrollment = try store.enrollment(id: delivery.enrollmentID),
            let prospect = try store.prospect(id: delivery.prospectID),
            let campaign = catalog.campaign(id: delivery.campaignID),
            let index = campaign.steps.firstIndex(where: { $0.id == delivery.stepID })
        else {
            // The campaign is not loaded: come back to this step later. It will not be resent (the store refuses
            // a step with an uncertain attempt); the sequence moves on from it then.
            try store.finishDelivery(
                delivery.id,
                result: DeliveryResultRecord(
                    outcome: .uncertain, note: "in flight when the engine stopped; not resent", finishedAt: now),
                next: .retry(dueAt: now.addingTimeInterval(Self.missingCampaignRetry), attempt: delivery.attempt))
            return
        }
        let planner = try settings.planner(for: campaign, prospect: prospect, enrollment: enrollment, store: store)
        let next = nextAction(
            after: index, planner: planner, anchor: delivery.startedAt,
            lastEmail: try store.lastEmailSent(prospectID: prospect.id), now: now)
        try store.finishDelivery(
            delivery.id,
            result: DeliveryResultRecord(
                outcome: .uncertain, note: "in flight when the engine stopped; not resent", finishedAt: now),
            next: next)
    }
}

extension SMTPFailure {
    /// A 5xx to the message (after DATA) whose enhanced status code is not about the mailbox: 5.1.x is a bad
    /// address and 5.2.1 a disabled mailbox (bounces); anything else (5.7.1 spam policy, 5.3.4 too big, 5.6.x
    /// content) is about this message. A bare code, with no enhanced one, is read as the mailbox's.
    var refusesTheMessageNotTheMailbox: Bool {
        guard stage == .data, let text = reply?.text else { return false }
        let enhanced = text.prefix(while: { !$0.isWhitespace }).split(separator: ".")
        guard enhanced.count == 3, enhanced[0] == "5", enhanced.allSatisfy({ Int($0) != nil }) else { return false }
        return !(enhanced[1] == "1" || (enhanced[1] == "2" && enhanced[2] == "1"))
    }
}
