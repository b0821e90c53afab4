import Foundation
import GRDB
import NurtureCore

extension SQLiteStore {
    public func saveProspect(_ draft: ProspectDraft, at date: Date) throws -> StoredProspect {
        try write { db in try Self.save(draft, at: date, in: db) }
    }

    public func saveProspects(_ drafts: [ProspectDraft], at date: Date) throws -> [StoredProspect] {
        try write { db in try drafts.map { try Self.save($0, at: date, in: db) } }
    }

    public func prospect(email: EmailAddress) throws -> StoredProspect? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM prospects WHERE email = ?"), arguments: [
                email.description
            ])
            .map(StoredProspect.init(row:))
        }
    }

    public func prospect(id: ProspectID) throws -> StoredProspect? {
        try read { db in try Self.prospect(id: id, in: db) }
    }

    static func prospect(id: ProspectID, in db: Database) throws -> StoredProspect? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM prospects WHERE id = ?"), arguments: [id])
            .map(StoredProspect.init(row:))
    }

    /// One statement whether the prospect is new or known, so an import of a hundred thousand rows is a hundred
    /// thousand executions of one prepared statement. `json_patch` merges the attributes: new values win, the
    /// others stay.
    private static func save(_ draft: ProspectDraft, at date: Date, in db: Database) throws -> StoredProspect {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO prospects (email, attributes, time_zone, preferred_channel, created_at)
                VALUES (:email, :attributes, :timeZone, COALESCE(:channel, 'email'), :now)
                ON CONFLICT (email) DO UPDATE SET
                    attributes = json_patch(attributes, excluded.attributes),
                    time_zone = COALESCE(excluded.time_zone, time_zone),
                    preferred_channel = COALESCE(:channel, preferred_channel)
                RETURNING *
                """)
        let arguments: StatementArguments = [
            "email": draft.email.description,
            "attributes": try encode(draft.attributes),
            "timeZone": draft.timeZone,
            "channel": draft.preferredChannel?.rawValue,
            "now": date.storedSeconds,
        ]
        guard let row = try Row.fetchOne(statement, arguments: arguments) else {
            throw StoreError(.databaseFailure, "saving the prospect \(draft.email) returned nothing")
        }
        return try StoredProspect(row: row)
    }

    private static func encode(_ attributes: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(attributes), as: UTF8.self)
    }
}
