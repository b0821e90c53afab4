import Foundation
import GRDB

extension SQLiteStore {
    public func enroll(_ request: EnrollmentRequest) throws -> EnrollmentResult {
        try write { db in try Self.enroll(request, in: db) }
    }

    public func importProspects(
        _ drafts: [ProspectDraft], into campaign: ImportTarget, at date: Date,
        firstDue: (StoredProspect, _ lastEmailSent: Date?) throws -> Date
    ) throws -> [EnrollmentResult] {
        try write { db in
            // Prepared once for the batch: a million rows are a few statements each.
            let findSuppression = try db.makeStatement(sql: "SELECT * FROM suppressions WHERE email = ?")
            let insertEnrollment = try db.makeStatement(
                sql: """
                    INSERT INTO enrollments
                        (prospect_id, campaign_id, status, enrolled_at, next_step_id, priority, concurrent)
                    VALUES (?, ?, 'active', ?, ?, ?, ?)
                    """)
            let insertDueSend = try db.makeStatement(
                sql: "INSERT INTO due_sends (enrollment_id, step_id, due_at, attempt, paused) VALUES (?, ?, ?, 0, 0)")
            // Most lists go to a database with no suppressions at all: then there is nothing to look up.
            let anySuppressed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppressions)") ?? true
            let enrolledAt = date.storedSeconds
            return try drafts.map { draft in
                let (prospect, isNew) = try Self.saveReportingNew(draft, at: date, in: db)
                guard isNew else {
                    // Known already: the whole set of rules (its other campaigns, the gap since its last email).
                    let last = try Self.lastEmailSent(prospectID: prospect.id, in: db)
                    return try Self.enroll(
                        EnrollmentRequest(
                            prospectID: prospect.id, campaignID: campaign.campaignID, priority: campaign.priority,
                            concurrent: campaign.concurrent, restart: campaign.restart,
                            firstStepID: campaign.firstStepID, firstDueAt: try firstDue(prospect, last), at: date),
                        in: db)
                }
                // New: no enrollment, no email sent; only an address suppressed before it was a prospect can stop it.
                if anySuppressed,
                    let suppression = try Row.fetchOne(findSuppression, arguments: [draft.email.description])
                {
                    return .suppressed(try Suppression(row: suppression))
                }
                try insertEnrollment.execute(arguments: [
                    prospect.id, campaign.campaignID, enrolledAt, campaign.firstStepID, campaign.priority,
                    campaign.concurrent,
                ])
                let enrollmentID = db.lastInsertedRowID
                try insertDueSend.execute(arguments: [
                    enrollmentID, campaign.firstStepID, try firstDue(prospect, nil).storedSeconds,
                ])
                let enrollment = Enrollment(
                    id: enrollmentID, prospectID: prospect.id, campaignID: campaign.campaignID,
                    status: .active, stopReason: nil, enrolledAt: date.asStored, endedAt: nil,
                    nextStepID: campaign.firstStepID, lastStepID: nil, lastStepAt: nil)
                return .enrolled(enrollment, paused: [])
            }
        }
    }

    public func enrollment(id: EnrollmentID) throws -> Enrollment? {
        try read { db in try Self.enrollment(id: id, in: db) }
    }

    public func enrollments(prospectID: ProspectID) throws -> [Enrollment] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM enrollments WHERE prospect_id = ? ORDER BY enrolled_at, id"),
                arguments: [prospectID]
            )
            .map(Enrollment.init(row:))
        }
    }

    public func endEnrollments(prospectID: ProspectID, campaignID: String?, reason: StopReason, at date: Date) throws
        -> [Enrollment]
    {
        try write { db in
            let ended = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE enrollments
                        SET status = 'stopped', stop_reason = :reason, ended_at = :at, next_step_id = NULL
                        WHERE prospect_id = :prospectID AND status IN ('active', 'paused')
                            AND (:campaignID IS NULL OR campaign_id = :campaignID)
                        RETURNING *
                        """),
                arguments: [
                    "reason": reason.rawValue, "at": date.storedSeconds, "prospectID": prospectID,
                    "campaignID": campaignID,
                ]
            )
            .map(Enrollment.init(row:))
            try Self.resumeIfIdle(prospectID: prospectID, in: db)
            return ended.sorted { $0.id < $1.id }
        }
    }

    /// The rules of the protocol's `enroll`, in order: suppression, one live enrollment per campaign, priority.
    /// Built for imports: four statements for a prospect seen for the first time.
    private static func enroll(_ request: EnrollmentRequest, in db: Database) throws -> EnrollmentResult {
        if let suppression = try suppression(ofProspect: request.prospectID, in: db) {
            return .suppressed(suppression)
        }
        var live = try liveEnrollments(of: request.prospectID, in: db)
        var resumed: EnrollmentID?
        if let same = live.first(where: { $0.enrollment.campaignID == request.campaignID }) {
            guard request.restart else { return .alreadyActive(same.enrollment) }
            try end(same.enrollment.id, as: .stopped, reason: .restarted, at: request.at, lastStepID: nil, in: db)
            // The campaign's priority may have changed since: let the rules below see the prospect as if the
            // old enrollment had never been there.
            resumed = try resumeIfIdle(prospectID: request.prospectID, in: db)?.id
            live = try liveEnrollments(of: request.prospectID, in: db)
        }

        var status = EnrollmentStatus.active
        var paused: [Enrollment] = []
        if !request.concurrent {
            let running = live.filter { $0.enrollment.status == .active && !$0.concurrent }
            if running.contains(where: { $0.priority >= request.priority }) {
                status = .paused
            } else {
                for var lower in running.map(\.enrollment) {
                    try db.cachedStatement(sql: "UPDATE enrollments SET status = 'paused' WHERE id = ?")
                        .execute(arguments: [lower.id])
                    lower.status = .paused
                    // Resumed a moment ago for the rules' sake, it is paused again: no change to report.
                    if lower.id != resumed { paused.append(lower) }
                }
            }
        }

        try db.cachedStatement(
            sql: """
                INSERT INTO enrollments
                    (prospect_id, campaign_id, status, enrolled_at, next_step_id, priority, concurrent)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            request.prospectID, request.campaignID, status.rawValue, request.at.storedSeconds, request.firstStepID,
            request.priority, request.concurrent,
        ])
        let enrollment = Enrollment(
            id: db.lastInsertedRowID, prospectID: request.prospectID, campaignID: request.campaignID, status: status,
            stopReason: nil, enrolledAt: request.at.asStored, endedAt: nil, nextStepID: request.firstStepID,
            lastStepID: nil, lastStepAt: nil)
        try putDueSend(
            enrollmentID: enrollment.id, stepID: request.firstStepID, dueAt: request.firstDueAt, attempt: 0,
            paused: status == .paused, in: db)
        return .enrolled(enrollment, paused: paused)
    }

    /// The suppression of the prospect's address, if any; throws when there is no such prospect.
    private static func suppression(ofProspect prospectID: ProspectID, in db: Database) throws -> Suppression? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT s.* FROM prospects p LEFT JOIN suppressions s ON s.email = p.email WHERE p.id = ?
                        """), arguments: [prospectID])
        else {
            throw StoreError(.notFound, "there is no prospect with id \(prospectID); save the prospect first")
        }
        guard (row["email"] as String?) != nil else { return nil }
        return try Suppression(row: row)
    }

    /// A live enrollment with what the priority rules need, which the public record leaves out.
    private struct LiveEnrollment {
        var enrollment: Enrollment
        var priority: Int
        var concurrent: Bool
    }

    private static func liveEnrollments(of prospectID: ProspectID, in db: Database) throws -> [LiveEnrollment] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM enrollments WHERE prospect_id = ? AND status IN ('active', 'paused') ORDER BY id"),
            arguments: [prospectID]
        )
        .map {
            LiveEnrollment(enrollment: try Enrollment(row: $0), priority: $0["priority"], concurrent: $0["concurrent"])
        }
    }
}
