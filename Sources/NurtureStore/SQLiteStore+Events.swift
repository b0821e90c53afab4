import Foundation
import GRDB
import NurtureCore

extension SQLiteStore {
    /// Only records: ending sequences and suppressing the address are the engine's decisions, made through
    /// `endEnrollments` and `suppress`.
    public func recordEvent(_ event: EventDraft) throws -> ProspectEvent {
        try write { db in
            let inserted: Row?
            do {
                inserted = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            INSERT INTO events (prospect_id, kind, campaign_id, occurred_at, source, detail, step_id)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            RETURNING *
                            """),
                    arguments: [
                        event.prospectID, event.kind.rawValue, event.campaignID, event.occurredAt.storedSeconds,
                        event.source, event.detail, event.stepID,
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw StoreError(
                    .notFound, "there is no prospect with id \(event.prospectID); save the prospect first",
                    underlying: error)
            }
            guard let inserted else {
                throw StoreError(.databaseFailure, "recording a \(event.kind.rawValue) event returned nothing")
            }
            return try ProspectEvent(row: inserted)
        }
    }

    public func events(prospectID: ProspectID) throws -> [ProspectEvent] {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM events WHERE prospect_id = ? ORDER BY occurred_at, id")
                .decodeAll(arguments: [prospectID], ProspectEvent.init(row:))
        }
    }

    /// Suppression is for good: suppressing an address again keeps the first reason and date.
    public func suppress(_ email: EmailAddress, reason: String, source: String, at date: Date) throws {
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO suppressions (email, reason, since, source) VALUES (?, ?, ?, ?)
                    ON CONFLICT (email) DO NOTHING
                    """
            ).execute(arguments: [email.description, reason, date.storedSeconds, source])
        }
    }

    public func suppression(email: EmailAddress) throws -> Suppression? {
        try read { db in try Self.suppression(email: email, in: db) }
    }

    static func suppression(email: EmailAddress, in db: Database) throws -> Suppression? {
        try db.cachedStatement(sql: "SELECT * FROM suppressions WHERE email = ?")
            .decodeFirst(arguments: [email.description], Suppression.init(row:))
    }
}
