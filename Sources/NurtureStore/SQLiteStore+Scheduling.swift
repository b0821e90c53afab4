import Foundation
import GRDB

extension SQLiteStore {
    public func nextDueTime() throws -> Date? {
        try read(oneStatement: true) { db in try Self.nextDueTime(in: db) }
    }

    /// Reads the `due_sends_ready` partial index alone: its WHERE clause must stay word for word the index's.
    static func nextDueTime(in db: Database) throws -> Date? {
        try Double.fetchOne(
            db.cachedStatement(sql: "SELECT MIN(due_at) FROM due_sends WHERE claimed_at IS NULL AND paused = 0")
        )
        .map(Date.init(timeIntervalSince1970:))
    }

    /// The claim is one UPDATE in an IMMEDIATE transaction: a second process waits for this one to commit and
    /// then no longer sees these rows as unclaimed, so no step is handed to two workers.
    public func claimDueSends(dueBy date: Date, limit: Int) throws -> [DueSend] {
        guard limit > 0 else { return [] }
        return try write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE due_sends SET claimed_at = :now
                    WHERE enrollment_id IN (
                        SELECT enrollment_id FROM due_sends
                        WHERE claimed_at IS NULL AND paused = 0 AND due_at <= :now
                        ORDER BY due_at, enrollment_id
                        LIMIT :limit)
                    RETURNING enrollment_id, step_id, due_at, attempt
                    """
            ).decodeAll(arguments: ["now": date.storedSeconds, "limit": limit], DueSend.init(row:))
                // RETURNING comes in no particular order.
                .sorted { ($0.dueAt, $0.enrollmentID) < ($1.dueAt, $1.enrollmentID) }
        }
    }

    public func releaseClaims() throws {
        try write { db in
            try db.execute(sql: "UPDATE due_sends SET claimed_at = NULL WHERE claimed_at IS NOT NULL")
        }
    }

    public func dueSend(enrollmentID: EnrollmentID) throws -> DueSend? {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM due_sends WHERE enrollment_id = ?")
                .decodeFirst(arguments: [enrollmentID], DueSend.init(row:))
        }
    }

    public func dueSends(limit: Int?) throws -> [DueSend] {
        try read { db in
            // SQLite reads a negative LIMIT as "no limit".
            try db.cachedStatement(sql: "SELECT * FROM due_sends ORDER BY due_at, enrollment_id LIMIT ?")
                .decodeAll(arguments: [limit ?? -1], DueSend.init(row:))
        }
    }

    public func reschedule(enrollmentID: EnrollmentID, to date: Date) throws {
        try write { db in
            try db.cachedStatement(sql: "UPDATE due_sends SET due_at = ?, claimed_at = NULL WHERE enrollment_id = ?")
                .execute(arguments: [date.storedSeconds, enrollmentID])
        }
    }
}
