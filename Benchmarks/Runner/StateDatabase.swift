import Foundation
import GRDB

/// Reads what the daemon recorded, from its SQLite file, read-only (WAL lets it read while the daemon writes).
struct StateDatabase {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Steps still waiting or being sent.
    func unfinished() throws -> Int {
        try queue.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM due_sends)
                         + (SELECT COUNT(*) FROM deliveries WHERE outcome = 'in_flight')
                    """) ?? 0
        }
    }

    func outcomes() throws -> [String: Int] {
        try queue.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM deliveries GROUP BY outcome") {
                counts[row["outcome"]] = row["n"]
            }
            return counts
        }
    }

    /// Delivered messages, and the span from the first one's start to the last one's end.
    func deliveredSpan() throws -> (count: Int, seconds: Double) {
        try queue.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, MIN(started_at) AS first, MAX(finished_at) AS last
                    FROM deliveries WHERE outcome = 'delivered'
                    """)
            let count: Int = row?["n"] ?? 0
            let first: Double? = row?["first"]
            let last: Double? = row?["last"]
            return (count, (last ?? 0) - (first ?? 0))
        }
    }

    /// When each delivered message's attempt started (recorded before SMTP), by recipient.
    func deliveryStarts() throws -> [(recipient: String, startedAt: Double)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT recipient, started_at FROM deliveries WHERE outcome = 'delivered'")
                .map { ($0["recipient"], $0["started_at"]) }
        }
    }

    /// Waits until nothing is due or in flight (or `timeout` passes); returns whether that happened.
    func waitUntilAllSent(timeout: Double) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if try unfinished() == 0 { return true }
            pause(0.2)
        }
        return false
    }
}
