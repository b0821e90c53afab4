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
            return try statement.decodeFirst(arguments: [email.description], StoredProspect.init(row:))
        }
    }

    public func prospect(id: ProspectID) throws -> StoredProspect? {
        try read { db in try Self.prospect(id: id, in: db) }
    }

    static func prospect(id: ProspectID, in db: Database) throws -> StoredProspect? {
        try db.cachedStatement(sql: "SELECT * FROM prospects WHERE id = ?")
            .decodeFirst(arguments: [id], StoredProspect.init(row:))
    }

    /// Most saves in an import are of new prospects: one plain INSERT, and the record is built from what was
    /// sent rather than read back. A known prospect is merged by `json_patch`: new values win, the others stay.
    static func save(_ draft: ProspectDraft, at date: Date, in db: Database) throws -> StoredProspect {
        try saveReportingNew(draft, at: date, in: db).prospect
    }

    /// `save`, and whether the prospect is new: a new one has no enrollment, delivery or event yet.
    static func saveReportingNew(_ draft: ProspectDraft, at date: Date, in db: Database) throws
        -> (prospect: StoredProspect, isNew: Bool)
    {
        let attributes = encode(draft.attributes)
        try db.cachedStatement(
            sql: """
                INSERT INTO prospects (email, attributes, time_zone, preferred_channel, created_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (email) DO NOTHING
                """
        ).execute(arguments: [
            draft.email.description, attributes, draft.timeZone, (draft.preferredChannel ?? .email).rawValue,
            date.storedSeconds,
        ])
        if db.changesCount == 1 {
            let prospect = StoredProspect(
                id: db.lastInsertedRowID, email: draft.email, attributes: draft.attributes, timeZone: draft.timeZone,
                preferredChannel: draft.preferredChannel ?? .email, createdAt: date.asStored)
            return (prospect, true)
        }
        let merged = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    UPDATE prospects SET
                        attributes = json_patch(attributes, :attributes),
                        time_zone = COALESCE(:timeZone, time_zone),
                        preferred_channel = COALESCE(:channel, preferred_channel)
                    WHERE email = :email
                    RETURNING *
                    """),
            arguments: [
                "attributes": attributes, "timeZone": draft.timeZone, "channel": draft.preferredChannel?.rawValue,
                "email": draft.email.description,
            ])
        guard let merged else {
            throw StoreError(.databaseFailure, "saving the prospect \(draft.email) found it neither new nor known")
        }
        return (try StoredProspect(row: merged), false)
    }

    /// A JSON object with sorted keys, written directly as bytes: an import saves a million of them, and
    /// JSONEncoder costs more than the INSERT.
    static func encode(_ attributes: [String: String]) -> String {
        var json: [UInt8] = [UInt8(ascii: "{")]
        json.reserveCapacity(64 * attributes.count + 2)
        for (index, key) in attributes.keys.sorted().enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            appendJSONString(key, to: &json)
            json.append(UInt8(ascii: ":"))
            appendJSONString(attributes[key] ?? "", to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }

    /// `[[email, attributes, time zone, channel], …]`: a batch of prospects as one JSON text, for `json_each`,
    /// in the order of their addresses as the email index sorts them (ASCII letters folded); and each draft's
    /// place in it. Rows inserted in that order, with ids in that order, are appended to the table and reach
    /// the email index in its own order, instead of at random places in both.
    static func encode(_ drafts: [ProspectDraft]) -> (json: String, places: [Int]) {
        let keys = drafts.map { draft in draft.email.description.utf8.map(foldedASCII) }
        // Equal addresses keep the list's order, so the first mention is the one inserted.
        let order = drafts.indices.sorted { first, second in
            keys[first] == keys[second] ? first < second : keys[first].lexicographicallyPrecedes(keys[second])
        }
        var places = [Int](repeating: 0, count: drafts.count)
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(drafts.count * 96)
        for (place, index) in order.enumerated() {
            places[index] = place
            let draft = drafts[index]
            if place > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "["))
            appendJSONString(draft.email.description, to: &json)
            json.append(UInt8(ascii: ","))
            json += encode(draft.attributes).utf8
            json.append(UInt8(ascii: ","))
            if let zone = draft.timeZone { appendJSONString(zone, to: &json) } else { json += "null".utf8 }
            json.append(UInt8(ascii: ","))
            appendJSONString((draft.preferredChannel ?? .email).rawValue, to: &json)
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "]"))
        return (String(decoding: json, as: UTF8.self), places)
    }

    private static func foldedASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// Row ids as a JSON array, for `json_each`.
    static func jsonArray(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }

    private static func appendJSONString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): json += [UInt8(ascii: "\\"), byte]
            case 0x0A: json += Array("\\n".utf8)
            case 0x0D: json += Array("\\r".utf8)
            case 0x09: json += Array("\\t".utf8)
            case 0..<0x20: json += Array(String(format: "\\u%04x", byte).utf8)
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
