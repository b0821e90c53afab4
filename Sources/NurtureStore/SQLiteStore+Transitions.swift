import Foundation
import GRDB

/// The moves of an enrollment shared by enrolling, ending, finishing and skipping: each runs inside the caller's
/// transaction. The schema's trigger keeps the due send in step with the status (flagged while paused, deleted
/// once ended), so none of these touch `due_sends` for a status change.
extension SQLiteStore {
    static func enrollment(id: EnrollmentID, in db: Database) throws -> Enrollment? {
        try db.cachedStatement(sql: "SELECT * FROM enrollments WHERE id = ?")
            .decodeFirst(arguments: [id], Enrollment.init(row:))
    }

    /// Ends one live enrollment; `lastStepID` records the step that just took its turn, if one did.
    static func end(
        _ enrollmentID: EnrollmentID, as status: EnrollmentStatus, reason: StopReason?, at date: Date,
        lastStepID: String?, in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                UPDATE enrollments
                SET status = :status, stop_reason = :reason, ended_at = :at, next_step_id = NULL,
                    last_step_id = COALESCE(:lastStepID, last_step_id),
                    last_step_at = CASE WHEN :lastStepID IS NULL THEN last_step_at ELSE :at END
                WHERE id = :id AND status IN ('active', 'paused')
                """
        ).execute(arguments: [
            "status": status.rawValue, "reason": reason?.rawValue, "at": date.storedSeconds,
            "lastStepID": lastStepID, "id": enrollmentID,
        ])
    }

    /// Once a prospect has no running non-concurrent enrollment, the highest-priority paused one (the earliest
    /// enrolled among equals) takes over. Returns it, if one was resumed.
    @discardableResult
    static func resumeIfIdle(prospectID: ProspectID, in db: Database) throws -> Enrollment? {
        guard try !hasRunningExclusive(prospectID: prospectID, atLeast: nil, in: db) else { return nil }
        return try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    UPDATE enrollments SET status = 'active'
                    WHERE id = (
                        SELECT id FROM enrollments
                        WHERE prospect_id = ? AND status = 'paused'
                        ORDER BY priority DESC, enrolled_at, id
                        LIMIT 1)
                    RETURNING *
                    """), arguments: [prospectID]
        )
        .map(Enrollment.init(row:))
    }

    /// Whether an active, non-concurrent enrollment of the prospect runs (with at least that priority).
    static func hasRunningExclusive(prospectID: ProspectID, atLeast priority: Int?, in db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT EXISTS (
                        SELECT 1 FROM enrollments
                        WHERE prospect_id = ? AND status = 'active' AND concurrent = 0 AND priority >= ?)
                    """), arguments: [prospectID, priority ?? Int.min]) ?? false
    }

    /// Sets the enrollment's one pending step, unclaimed; `paused` must say whether the enrollment is.
    static func putDueSend(
        enrollmentID: EnrollmentID, stepID: String, dueAt: Date, attempt: Int, paused: Bool, in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO due_sends (enrollment_id, step_id, due_at, attempt, claimed_at, paused)
                VALUES (?, ?, ?, ?, NULL, ?)
                ON CONFLICT (enrollment_id) DO UPDATE SET
                    step_id = excluded.step_id, due_at = excluded.due_at, attempt = excluded.attempt,
                    claimed_at = NULL, paused = excluded.paused
                """
        ).execute(arguments: [enrollmentID, stepID, dueAt.storedSeconds, attempt, paused])
    }

    /// The step is being taken (begun or skipped): nothing is pending until the engine's next action says so.
    static func deleteDueSend(of enrollmentID: EnrollmentID, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM due_sends WHERE enrollment_id = ?").execute(arguments: [enrollmentID])
    }

    /// Applies the engine's decision after a step took its turn (`finishedAt`) or failed to.
    static func apply(
        _ next: NextAction, to enrollment: Enrollment, after stepID: String, tookTurn: Bool, at finishedAt: Date,
        in db: Database
    ) throws {
        // A reply or a stop while the step was in flight has ended the enrollment: it must not come back.
        guard enrollment.status.isLive else { return }
        switch next {
        case .schedule(let nextStepID, let dueAt):
            try db.cachedStatement(
                sql: "UPDATE enrollments SET last_step_id = ?, last_step_at = ?, next_step_id = ? WHERE id = ?"
            ).execute(arguments: [stepID, finishedAt.storedSeconds, nextStepID, enrollment.id])
            try putDueSend(
                enrollmentID: enrollment.id, stepID: nextStepID, dueAt: dueAt, attempt: 0,
                paused: enrollment.status == .paused, in: db)
        case .retry(let dueAt, let attempt):
            try putDueSend(
                enrollmentID: enrollment.id, stepID: stepID, dueAt: dueAt, attempt: attempt,
                paused: enrollment.status == .paused, in: db)
        case .complete:
            try end(enrollment.id, as: .completed, reason: nil, at: finishedAt, lastStepID: stepID, in: db)
            try resumeIfIdle(prospectID: enrollment.prospectID, in: db)
        case .stop(let reason):
            try end(
                enrollment.id, as: .stopped, reason: reason, at: finishedAt, lastStepID: tookTurn ? stepID : nil,
                in: db)
            try resumeIfIdle(prospectID: enrollment.prospectID, in: db)
        }
    }
}
