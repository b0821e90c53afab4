import Foundation
import GRDB

extension SQLiteStore {
    public func enroll(_ request: EnrollmentRequest) throws -> EnrollmentResult {
        try write { db in try Self.enroll(request, in: db) }
    }

    /// A batch of new prospects costs SQLite's work and little more: the batch goes to SQLite as one JSON array
    /// and each table gets one statement for all of it (`json_each`), instead of a statement with its bindings
    /// per row. A new prospect's id is its place in that array after the largest id so far (the transaction
    /// holds the write lock, so those ids are free), so nothing has to be read back to learn them; enrollments
    /// are numbered in list order, so steps due at the same time go out in the list's order. Prospects already
    /// known, and the second mention of one in the same list, then take the whole set of rules one at a time,
    /// in list order.
    public func importProspects(
        _ batch: ProspectBatch, into campaign: ImportTarget, at date: Date,
        firstDue: (StoredProspect, _ lastEmailSent: Date?) throws -> Date
    ) throws -> [EnrollmentResult] {
        let drafts = batch.drafts
        return try write { db in
            let base = try Self.largestID(in: "prospects", db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO prospects (id, email, attributes, time_zone, preferred_channel, created_at)
                    SELECT ? + key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, ? FROM json_each(?) WHERE true
                    ON CONFLICT (email) DO NOTHING
                    """
            ).execute(arguments: [base + 1, date.storedSeconds, batch.json])
            // Usually every row is new; otherwise the ids that were taken say which.
            let taken: Set<Int>? =
                db.changesCount == drafts.count
                ? nil
                : Set(
                    try Int64.fetchAll(db, sql: "SELECT id FROM prospects WHERE id > ?", arguments: [base])
                        .map { Int($0 - base - 1) })
            // New: no enrollment, no email sent; only an address suppressed before it was a prospect can stop it.
            var results = [EnrollmentResult?](repeating: nil, count: drafts.count)
            let anySuppressed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppressions)") ?? true
            var enrolling: [(index: Int, id: ProspectID)] = []
            enrolling.reserveCapacity(drafts.count)
            for (index, place) in batch.places.enumerated() where taken?.contains(place) ?? true {
                if anySuppressed, let suppression = try Self.suppression(email: drafts[index].email, in: db) {
                    results[index] = .suppressed(suppression)
                } else {
                    enrolling.append((index, base + 1 + Int64(place)))
                }
            }
            try Self.enrollNew(
                enrolling, of: drafts, into: campaign, at: date, firstDue: firstDue, results: &results, in: db)
            for index in drafts.indices where results[index] == nil {
                // Known already: the whole set of rules (its other campaigns, the gap since its last email).
                let prospect = try Self.saveReportingNew(drafts[index], at: date, in: db).prospect
                let last = try Self.lastEmailSent(prospectID: prospect.id, in: db)
                results[index] = try Self.enroll(
                    EnrollmentRequest(
                        prospectID: prospect.id, campaignID: campaign.campaignID, priority: campaign.priority,
                        concurrent: campaign.concurrent, restart: campaign.restart,
                        firstStepID: campaign.firstStepID, firstDueAt: try firstDue(prospect, last), at: date),
                    in: db)
            }
            return results.map { $0! }
        }
    }

    /// Enrolls the new prospects (each by its draft's index and its id) in one statement, and plans their first
    /// steps in one statement per distinct due time (usually one: the same wait from the same moment).
    private static func enrollNew(
        _ prospects: [(index: Int, id: ProspectID)], of drafts: [ProspectDraft], into campaign: ImportTarget,
        at date: Date, firstDue: (StoredProspect, _ lastEmailSent: Date?) throws -> Date,
        results: inout [EnrollmentResult?], in db: Database
    ) throws {
        guard !prospects.isEmpty else { return }
        let base = try largestID(in: "enrollments", db)
        try db.cachedStatement(
            sql: """
                INSERT INTO enrollments
                    (id, prospect_id, campaign_id, status, enrolled_at, next_step_id, priority, concurrent)
                SELECT ? + key, value, ?, 'active', ?, ?, ?, ? FROM json_each(?)
                """
        ).execute(
            arguments: [
                base + 1, campaign.campaignID, date.storedSeconds, campaign.firstStepID, campaign.priority,
                campaign.concurrent, jsonArray(prospects.map(\.id)),
            ])
        var byDue: [Date: [EnrollmentID]] = [:]
        for (offset, (index, prospectID)) in prospects.enumerated() {
            let enrollmentID = base + 1 + Int64(offset)
            let draft = drafts[index]
            let prospect = StoredProspect(
                id: prospectID, email: draft.email, attributes: draft.attributes, timeZone: draft.timeZone,
                preferredChannel: draft.preferredChannel ?? .email, createdAt: date.asStored)
            byDue[try firstDue(prospect, nil).asStored, default: []].append(enrollmentID)
            results[index] = .enrolled(
                Enrollment(
                    id: enrollmentID, prospectID: prospect.id, campaignID: campaign.campaignID, status: .active,
                    stopReason: nil, enrolledAt: date.asStored, endedAt: nil, nextStepID: campaign.firstStepID,
                    lastStepID: nil, lastStepAt: nil),
                paused: [])
        }
        let planFirstSteps = try db.cachedStatement(
            sql: """
                INSERT INTO due_sends (enrollment_id, step_id, due_at, attempt, paused)
                SELECT value, ?, ?, 0, 0 FROM json_each(?)
                """)
        for (due, enrollmentIDs) in byDue {
            try planFirstSteps.execute(arguments: [campaign.firstStepID, due.storedSeconds, jsonArray(enrollmentIDs)])
        }
    }

    /// The largest row id of `table` (0 when empty): inside a write transaction, every id after it is free.
    private static func largestID(in table: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM \(table)")) ?? 0
    }

    public func enrollment(id: EnrollmentID) throws -> Enrollment? {
        try read { db in try Self.enrollment(id: id, in: db) }
    }

    public func enrollmentStatus(id: EnrollmentID) throws -> EnrollmentStatus? {
        try read(oneStatement: true) { db in
            try db.cachedStatement(sql: "SELECT status FROM enrollments WHERE id = ?")
                .decodeFirst(arguments: [id]) { row in try row.value("status") }
        }
    }

    public func enrollments(prospectID: ProspectID) throws -> [Enrollment] {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM enrollments WHERE prospect_id = ? ORDER BY enrolled_at, id")
                .decodeAll(arguments: [prospectID], Enrollment.init(row:))
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
        let statement = try db.cachedStatement(
            sql: "SELECT s.* FROM prospects p LEFT JOIN suppressions s ON s.email = p.email WHERE p.id = ?")
        guard
            let suppression = try statement.decodeFirst(
                arguments: [prospectID], { row in (row["email"] as String?) == nil ? nil : try Suppression(row: row) })
        else {
            throw StoreError(.notFound, "there is no prospect with id \(prospectID); save the prospect first")
        }
        return suppression
    }

    /// A live enrollment with what the priority rules need, which the public record leaves out.
    private struct LiveEnrollment {
        var enrollment: Enrollment
        var priority: Int
        var concurrent: Bool
    }

    private static func liveEnrollments(of prospectID: ProspectID, in db: Database) throws -> [LiveEnrollment] {
        try db.cachedStatement(
            sql: "SELECT * FROM enrollments WHERE prospect_id = ? AND status IN ('active', 'paused') ORDER BY id"
        ).decodeAll(arguments: [prospectID]) {
            LiveEnrollment(enrollment: try Enrollment(row: $0), priority: $0["priority"], concurrent: $0["concurrent"])
        }
    }
}
