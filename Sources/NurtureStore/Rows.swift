import Foundation
import GRDB
import NurtureCore

// Rows to records. Values this version cannot read (an unknown status written by a newer Nurture, a hand edit)
// throw a `StoreError` instead of crashing the daemon.

extension Date {
    /// How dates are stored: REAL seconds since 1970.
    var storedSeconds: Double { timeIntervalSince1970 }

    /// The date as it reads back from the database, for records built from what was just written: a record
    /// returned by a call equals the same record read later.
    var asStored: Date { Date(timeIntervalSince1970: storedSeconds) }
}

extension Row {
    func date(_ column: String) -> Date {
        Date(timeIntervalSince1970: self[column])
    }

    func optionalDate(_ column: String) -> Date? {
        (self[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }

    func value<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let text: String = self[column]
        guard let value = T(rawValue: text) else { throw unreadable(column, text) }
        return value
    }

    func optionalValue<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let text = self[column] as String? else { return nil }
        guard let value = T(rawValue: text) else { throw unreadable(column, text) }
        return value
    }

    func email(_ column: String) throws -> EmailAddress {
        let text: String = self[column]
        do {
            return try EmailAddress(text)
        } catch {
            throw unreadable(column, text, underlying: error)
        }
    }

    func attributes(_ column: String) throws -> [String: String] {
        let text: String = self[column]
        if let attributes = FlatJSON.stringObject(text) { return attributes }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw unreadable(column, text, underlying: error)
        }
    }

    private func unreadable(_ column: String, _ text: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(
            .unreadableValue,
            "the state database holds `\(text)` in `\(column)`, which this version of Nurture cannot read; "
                + "it may have been written by a newer version or edited by hand",
            underlying: underlying)
    }
}

extension StoredProspect {
    init(row: Row) throws {
        id = row["id"]
        email = try row.email("email")
        attributes = try row.attributes("attributes")
        timeZone = row["time_zone"]
        preferredChannel = try row.value("preferred_channel")
        createdAt = row.date("created_at")
    }
}

extension Enrollment {
    init(row: Row) throws {
        id = row["id"]
        prospectID = row["prospect_id"]
        campaignID = row["campaign_id"]
        status = try row.value("status")
        stopReason = try row.optionalValue("stop_reason")
        enrolledAt = row.date("enrolled_at")
        endedAt = row.optionalDate("ended_at")
        nextStepID = row["next_step_id"]
        lastStepID = row["last_step_id"]
        lastStepAt = row.optionalDate("last_step_at")
    }
}

extension DueSend {
    init(row: Row) {
        self.init(
            enrollmentID: row["enrollment_id"], stepID: row["step_id"], dueAt: row.date("due_at"),
            attempt: row["attempt"])
    }
}

extension Delivery {
    init(row: Row) throws {
        id = row["id"]
        enrollmentID = row["enrollment_id"]
        prospectID = row["prospect_id"]
        campaignID = row["campaign_id"]
        stepID = row["step_id"]
        attempt = row["attempt"]
        channel = try row.value("channel")
        recipient = row["recipient"]
        startedAt = row.date("started_at")
        finishedAt = row.optionalDate("finished_at")
        outcome = try row.value("outcome")
        smtpCode = row["smtp_code"]
        smtpText = row["smtp_text"]
        messageID = row["message_id"]
        subject = row["subject"]
        note = row["note"]
    }
}

extension ProspectEvent {
    init(row: Row) throws {
        id = row["id"]
        prospectID = row["prospect_id"]
        kind = try row.value("kind")
        campaignID = row["campaign_id"]
        occurredAt = row.date("occurred_at")
        source = row["source"]
        detail = row["detail"]
        stepID = row["step_id"]
    }
}

extension Suppression {
    init(row: Row) throws {
        email = try row.email("email")
        reason = row["reason"]
        since = row.date("since")
        source = row["source"]
    }
}

extension Statement {
    /// The first row, decoded while the statement stands on it (see `decodeAll`).
    func decodeFirst<T>(arguments: StatementArguments, _ decode: (Row) throws -> T) throws -> T? {
        let rows = try Row.fetchCursor(self, arguments: arguments)
        // The row reads the statement, which the cursor resets when it goes: it must outlive the decoding.
        return try withExtendedLifetime(rows) { try rows.next().map(decode) }
    }

    /// Every row, each decoded while the statement stands on it. Read by name there, a row finds its column in the
    /// statement's own index; a copied row (what `Row.fetchOne` and `Row.fetchAll` return) lowercases every column
    /// name at every lookup, which made reading an enrollment or a prospect 1-2 % of a send's CPU.
    func decodeAll<T>(arguments: StatementArguments, _ decode: (Row) throws -> T) throws -> [T] {
        let rows = try Row.fetchCursor(self, arguments: arguments)
        return try withExtendedLifetime(rows) {
            var decoded: [T] = []
            while let row = try rows.next() { decoded.append(try decode(row)) }
            return decoded
        }
    }
}
