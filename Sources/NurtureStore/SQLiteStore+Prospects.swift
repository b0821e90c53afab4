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
            let statement = try db.cachedStatement(sql: "SELECT * FROM prospects WHERE email = ?")
            return try Row.fetchOne(statement, arguments: [email.description]).map(StoredProspect.init(row:))
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
        let email = draft.email.description
        let attributes = try encode(draft.attributes)
        let arguments: StatementArguments = [
            "email": email, "attributes": attributes, "timeZone": draft.timeZone,
            "channel": draft.preferredChannel?.rawValue, "now": date.storedSeconds,
        ]
        guard let row = try Row.fetchOne(statement, arguments: arguments) else {
            throw StoreError(.databaseFailure, "saving the prospect \(draft.email) returned nothing")
        }
        // What comes back as it was sent is not parsed again: checking the address and decoding the JSON would
        // otherwise be most of an import's time.
        return StoredProspect(
            id: row["id"],
            email: row["email"] == email ? draft.email : try row.email("email"),
            attributes: row["attributes"] == attributes ? draft.attributes : try row.attributes("attributes"),
            timeZone: row["time_zone"],
            preferredChannel: try row.value("preferred_channel"),
            createdAt: row.date("created_at"))
    }

    private static func encode(_ attributes: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(attributes), as: UTF8.self)
    }
}
