import Foundation
import GRDB
import NurtureCore

extension SQLiteStore {
    public func delivery(messageID: String) throws -> Delivery? {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM deliveries WHERE message_id = ? ORDER BY id DESC LIMIT 1")
                .decodeFirst(arguments: [messageID], Delivery.init(row:))
        }
    }

    public func lastEvent(prospectID: ProspectID, kinds: [EventKind]) throws -> ProspectEvent? {
        guard !kinds.isEmpty else { return nil }
        return try read { db in
            let placeholders = databaseQuestionMarks(count: kinds.count)
            return try db.cachedStatement(
                sql: """
                    SELECT * FROM events WHERE prospect_id = ? AND kind IN (\(placeholders))
                    ORDER BY occurred_at DESC, id DESC LIMIT 1
                    """
            ).decodeFirst(arguments: StatementArguments([prospectID] + kinds.map(\.rawValue)), ProspectEvent.init(row:))
        }
    }

    public func clickedSteps(prospectID: ProspectID, campaignID: String, since date: Date) throws -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT DISTINCT step_id FROM events
                            WHERE prospect_id = ? AND kind = 'click' AND campaign_id = ? AND occurred_at >= ?
                              AND step_id IS NOT NULL
                            """),
                    arguments: [prospectID, campaignID, date.storedSeconds]))
        }
    }

    public func eventCount(prospectID: ProspectID, kind: EventKind) throws -> Int {
        try read { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM events WHERE prospect_id = ? AND kind = ?"),
                arguments: [prospectID, kind.rawValue]) ?? 0
        }
    }

    public func mailboxPosition(_ mailbox: String) throws -> MailboxPosition? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT uid_validity, last_uid FROM mailbox_cursors WHERE mailbox = ?"),
                arguments: [mailbox]
            ).map { row in
                MailboxPosition(
                    uidValidity: UInt32(truncatingIfNeeded: row[0] as Int64),
                    lastUID: UInt32(truncatingIfNeeded: row[1] as Int64))
            }
        }
    }

    public func setMailboxPosition(_ position: MailboxPosition, of mailbox: String) throws {
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
                    ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid
                    """
            ).execute(arguments: [mailbox, Int64(position.uidValidity), Int64(position.lastUID)])
        }
    }

    /// Records that an inbound message was handled; false (and nothing changes) if it already was.
    public func markInboundHandled(messageID: String, mailbox: String, uid: UInt32, outcome: String, at date: Date)
        throws -> Bool
    {
        try write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO inbound_messages (message_id, mailbox, uid, handled_at, outcome) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (message_id) DO NOTHING
                    """
            ).execute(arguments: [messageID, mailbox, Int64(uid), date.storedSeconds, outcome])
            return db.changesCount > 0
        }
    }

    public func inboundHandled(messageID: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM inbound_messages WHERE message_id = ?"), arguments: [messageID])
                ?? false
        }
    }

    /// Every suppressed address, oldest first: for `nurture suppressions export`.
    public func suppressions() throws -> [Suppression] {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM suppressions ORDER BY since, email")
                .decodeAll(arguments: [], Suppression.init(row:))
        }
    }

    /// Suppresses many addresses in one transaction; returns how many were not suppressed before.
    public func suppress(_ entries: [(email: EmailAddress, reason: String)], source: String, at date: Date) throws
        -> Int
    {
        try write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO suppressions (email, reason, since, source) VALUES (?, ?, ?, ?)
                    ON CONFLICT (email) DO NOTHING
                    """)
            var added = 0
            for entry in entries {
                try statement.execute(arguments: [entry.email.description, entry.reason, date.storedSeconds, source])
                added += db.changesCount
            }
            return added
        }
    }
}
