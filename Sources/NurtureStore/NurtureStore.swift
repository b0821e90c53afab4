import Foundation
import NurtureCore

/// Where Nurture keeps prospects, enrollments, due steps, deliveries, events and suppressions.
///
/// Each call is one transaction: the enrollment rules, the never-twice rule and the hand-over from one step to
/// the next hold even with several processes (the daemon and the CLI) on one database. `SQLiteStore` is the
/// implementation; a PostgreSQL one can follow behind the same protocol.
public protocol NurtureStore: Sendable {
    // MARK: Group commit

    /// Runs `body`, and every call it makes to this store on this thread, in one write transaction: one commit,
    /// one fsync, for many changes. Each call inside stays atomic on its own (a savepoint): one that throws undoes
    /// only its own changes, and the others commit. If the commit itself fails, none of them happened.
    func grouped<T>(_ body: () throws -> T) throws -> T

    // MARK: Prospects

    /// Creates the prospect or merges into the stored one (new attribute values win; nil fields keep theirs).
    func saveProspect(_ draft: ProspectDraft, at date: Date) throws -> StoredProspect
    /// Many at once, in one transaction: for imports.
    func saveProspects(_ drafts: [ProspectDraft], at date: Date) throws -> [StoredProspect]
    func prospect(email: EmailAddress) throws -> StoredProspect?
    func prospect(id: ProspectID) throws -> StoredProspect?

    // MARK: Enrollments

    /// Applies the rules: a suppressed address is refused; a live enrollment in the same campaign is returned
    /// unless `restart`; unless the campaign is `concurrent`, live lower-priority enrollments of the prospect
    /// are paused, and the new one starts paused if one of higher or equal priority is running. Throws if there
    /// is no such prospect.
    func enroll(_ request: EnrollmentRequest) throws -> EnrollmentResult
    /// Saves each prospect and enrolls it in one campaign, all in one transaction, by the same rules as `enroll`:
    /// what `nurture import` does. `firstDue` plans the first step for a prospect given the last email it was sent
    /// (nil for a new prospect).
    func importProspects(
        _ batch: ProspectBatch, into campaign: ImportTarget, at date: Date,
        firstDue: (StoredProspect, _ lastEmailSent: Date?) throws -> Date
    ) throws -> [EnrollmentResult]
    func enrollment(id: EnrollmentID) throws -> Enrollment?
    /// Just the status: what the engine looks at once more right before a send.
    func enrollmentStatus(id: EnrollmentID) throws -> EnrollmentStatus?
    func enrollments(prospectID: ProspectID) throws -> [Enrollment]
    /// Ends the prospect's live enrollments (in one campaign, or all), removing their due steps; then resumes
    /// the highest-priority paused enrollment left, if any. Returns the ones it ended.
    func endEnrollments(prospectID: ProspectID, campaignID: String?, reason: StopReason, at date: Date) throws
        -> [Enrollment]

    // MARK: Scheduling

    /// The earliest due time among active enrollments' unclaimed due steps.
    func nextDueTime() throws -> Date?
    /// Marks up to `limit` unclaimed due steps of active enrollments due at or before `date` as claimed and
    /// returns them, earliest first. A claimed step is invisible to other claims until it is begun,
    /// rescheduled or released.
    func claimDueSends(dueBy date: Date, limit: Int) throws -> [DueSend]
    /// Makes every claimed step claimable again: at start-up, for claims a stopped process left behind.
    func releaseClaims() throws
    func dueSend(enrollmentID: EnrollmentID) throws -> DueSend?
    /// Every due step of a live enrollment (for `forecast`), in due order.
    func dueSends(limit: Int?) throws -> [DueSend]
    /// Moves a due step (claimed or not) to a new time, unclaimed.
    func reschedule(enrollmentID: EnrollmentID, to date: Date) throws

    // MARK: Deliveries

    /// Records an attempt as in flight and removes its due step, before SMTP. Returns nil, and changes
    /// nothing, if the enrollment is no longer active, `stepID` is not the step it waits for, or the step was
    /// already delivered, is in flight, or is uncertain: a step never goes out twice.
    func beginDelivery(_ start: DeliveryStart) throws -> Delivery?
    /// Records the outcome and moves the enrollment on, in one transaction. An enrollment that ended while the
    /// step was in flight (a reply came) keeps its end: only the outcome is recorded. Also moves on from an
    /// uncertain delivery returned by `markInFlightUncertain` (pass `.uncertain` to keep that outcome).
    func finishDelivery(_ id: DeliveryID, result: DeliveryResultRecord, next: NextAction) throws
    /// An attempt `beginDelivery` recorded that never reached SMTP (the engine stopped first): forgets it and
    /// gives the step back, due at `dueAt` with the attempts it had. Does nothing unless it is still in flight.
    func cancelDelivery(_ id: DeliveryID, dueAt: Date) throws
    /// Records a step as skipped (with the reason in `note`) and moves the enrollment on; does nothing once the
    /// enrollment has ended.
    func skipStep(enrollmentID: EnrollmentID, stepID: String, note: String, at date: Date, next: NextAction) throws
    /// Marks attempts left in flight by a stopped process as uncertain and returns them (with any uncertain
    /// one whose enrollment was not moved on yet: a crash during recovery), so the engine can move each
    /// enrollment on without resending. Call it at start-up, before this process begins anything.
    func markInFlightUncertain(at date: Date) throws -> [Delivery]
    func deliveries(prospectID: ProspectID) throws -> [Delivery]
    /// When the prospect was last sent an email (not a task), across all campaigns, counting one in flight:
    /// for the minimum gap.
    /// Delivered and uncertain emails count; failures, skips and attempts still in flight do not.
    func lastEmailSent(prospectID: ProspectID) throws -> Date?
    /// The last delivered email of an enrollment: what a `thread: true` step replies to.
    func lastDeliveredEmail(enrollmentID: EnrollmentID) throws -> Delivery?

    // MARK: Events and suppression

    func recordEvent(_ event: EventDraft) throws -> ProspectEvent
    func events(prospectID: ProspectID) throws -> [ProspectEvent]
    func suppress(_ email: EmailAddress, reason: String, source: String, at date: Date) throws
    func suppression(email: EmailAddress) throws -> Suppression?
    /// The prospect's latest event of one of `kinds`.
    func lastEvent(prospectID: ProspectID, kinds: [EventKind]) throws -> ProspectEvent?
    func eventCount(prospectID: ProspectID, kind: EventKind) throws -> Int
    /// The steps of `campaignID` whose links the prospect clicked since `date` (their enrollment).
    func clickedSteps(prospectID: ProspectID, campaignID: String, since date: Date) throws -> Set<String>
    /// Every suppressed address, oldest first.
    func suppressions() throws -> [Suppression]
    /// Many at once, in one transaction; returns how many were new. An address already suppressed keeps its reason.
    func suppress(_ entries: [(email: EmailAddress, reason: String)], source: String, at date: Date) throws -> Int

    // MARK: The reply mailbox

    /// The email whose Message-ID a reply or a bounce names.
    func delivery(messageID: String) throws -> Delivery?
    func mailboxPosition(_ mailbox: String) throws -> MailboxPosition?
    func setMailboxPosition(_ position: MailboxPosition, of mailbox: String) throws
    /// Records an inbound message as handled; false, changing nothing, if it already was.
    func markInboundHandled(messageID: String, mailbox: String, uid: UInt32, outcome: String, at date: Date) throws
        -> Bool
    func inboundHandled(messageID: String) throws -> Bool

    // MARK: Reporting

    func summary(now: Date) throws -> StoreSummary
    /// Changes whenever another connection commits. The daemon does not need it today (it re-reads the earliest
    /// due time every half second); it is the cheap test for a caller that must know whether anything changed.
    func changeToken() throws -> Int
}
