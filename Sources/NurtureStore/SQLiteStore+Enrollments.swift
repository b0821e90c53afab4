import Foundation
import GRDB

extension SQLiteStore {
    public func enroll(_ request: EnrollmentRequest) throws -> EnrollmentResult {
        try write { db in try Self.enroll(request, in: db) }
    }

    public func enroll(_ requests: [EnrollmentRequest]) throws -> [EnrollmentResult] {
        try write { db in try requests.map { try Self.enroll($0, in: db) } }
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
    private static func enroll(_ request: EnrollmentRequest, in db: Database) throws -> EnrollmentResult {
        if let suppression = try suppression(ofProspect: request.prospectID, in: db) {
            return .suppressed(suppression)
        }
        var resumed: Enrollment?
        if let live = try liveEnrollment(of: request.prospectID, in: request.campaignID, in: db) {
            guard request.restart else { return .alreadyActive(live) }
            try end(live.id, as: .stopped, reason: .restarted, at: request.at, lastStepID: nil, in: db)
            // The campaign's priority may have changed since: let the rules below see the prospect as if the
            // old enrollment had never been there.
            resumed = try resumeIfIdle(prospectID: request.prospectID, in: db)
        }

        var status = EnrollmentStatus.active
        var paused: [Enrollment] = []
        if !request.concurrent {
            if try hasRunningExclusive(prospectID: request.prospectID, atLeast: request.priority, in: db) {
                status = .paused
            } else {
                paused = try pauseExclusive(of: request.prospectID, below: request.priority, in: db)
                    .filter { $0.id != resumed?.id }
            }
        }

        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO enrollments
                            (prospect_id, campaign_id, status, enrolled_at, next_step_id, priority, concurrent)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        RETURNING *
                        """),
                arguments: [
                    request.prospectID, request.campaignID, status.rawValue, request.at.storedSeconds,
                    request.firstStepID, request.priority, request.concurrent,
                ])
        else { throw StoreError(.databaseFailure, "enrolling prospect \(request.prospectID) returned nothing") }
        let enrollment = try Enrollment(row: row)
        try putDueSend(
            enrollmentID: enrollment.id, stepID: request.firstStepID, dueAt: request.firstDueAt, attempt: 0, in: db)
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

    private static func liveEnrollment(
        of prospectID: ProspectID, in campaignID: String, in db: Database
    ) throws -> Enrollment? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT * FROM enrollments
                    WHERE prospect_id = ? AND campaign_id = ? AND status IN ('active', 'paused')
                    """), arguments: [prospectID, campaignID]
        )
        .map(Enrollment.init(row:))
    }

    private static func pauseExclusive(
        of prospectID: ProspectID, below priority: Int, in db: Database
    ) throws -> [Enrollment] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    UPDATE enrollments SET status = 'paused'
                    WHERE prospect_id = ? AND status = 'active' AND concurrent = 0 AND priority < ?
                    RETURNING *
                    """), arguments: [prospectID, priority]
        )
        .map(Enrollment.init(row:))
        .sorted { $0.id < $1.id }
    }
}
