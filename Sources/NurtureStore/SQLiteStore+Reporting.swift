import Foundation
import GRDB

extension SQLiteStore {
    /// One read transaction, so the counts agree with each other even while the daemon writes.
    public func summary(now: Date) throws -> StoreSummary {
        try read { db in
            let count = { (sql: String, arguments: StatementArguments) in
                try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
            }
            var byStatus: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM enrollments GROUP BY status") {
                byStatus[row["status"]] = row["n"]
            }
            let now = now.storedSeconds
            return StoreSummary(
                prospects: try count("SELECT COUNT(*) FROM prospects", []),
                enrollmentsByStatus: byStatus,
                dueNow: try count("SELECT COUNT(*) FROM due_sends WHERE paused = 0 AND due_at <= ?", [now]),
                pending: try count("SELECT COUNT(*) FROM due_sends WHERE paused = 0 AND due_at > ?", [now]),
                nextDueAt: try Self.nextDueTime(in: db),
                uncertainDeliveries: try count("SELECT COUNT(*) FROM deliveries WHERE outcome = 'uncertain'", []),
                failedDeliveries: try count(
                    "SELECT COUNT(*) FROM deliveries WHERE outcome IN ('failed', 'permanent')", []),
                suppressed: try count("SELECT COUNT(*) FROM suppressions", []))
        }
    }

    /// `PRAGMA data_version` is per connection, so it is always read on the one writer connection: read on
    /// pooled readers, two calls could compare counters of different connections.
    public func changeToken() throws -> Int {
        try wrap { try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 } }
    }
}
