import Foundation
import GRDB

extension SQLiteStore {
    public func beginDelivery(_ start: DeliveryStart) throws -> Delivery? {
        try write { db in
            guard let enrollment = try Self.enrollment(id: start.enrollmentID, in: db), enrollment.status == .active,
                enrollment.nextStepID == start.stepID
            else { return nil }
            let delivery: Delivery
            do {
                delivery = try Self.insertDelivery(
                    enrollment: enrollment, stepID: start.stepID, attempt: start.attempt, channel: start.channel,
                    recipient: start.recipient, startedAt: start.startedAt, outcome: .inFlight,
                    messageID: start.messageID, subject: start.subject, note: nil, in: db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                // `deliveries_once_per_step`: delivered, in flight or uncertain already, maybe by another process.
                // Only the failed statement is undone; the transaction commits having changed nothing.
                return nil
            }
            try Self.deleteDueSend(of: enrollment.id, in: db)
            return delivery
        }
    }

    public func finishDelivery(_ id: DeliveryID, result: DeliveryResultRecord, next: NextAction) throws {
        try write { db in
            let finished = try db.cachedStatement(
                sql: """
                    UPDATE deliveries
                    SET outcome = ?, smtp_code = ?, smtp_text = ?, note = COALESCE(?, note),
                        started_at = COALESCE(?, started_at), finished_at = ?
                    WHERE id = ?
                    RETURNING enrollment_id, step_id
                    """
            ).decodeFirst(
                arguments: [
                    result.outcome.rawValue, result.smtpCode, result.smtpText, result.note,
                    result.startedAt?.storedSeconds, result.finishedAt.storedSeconds, id,
                ]
            ) { row -> (enrollmentID: EnrollmentID, stepID: String) in (row["enrollment_id"], row["step_id"]) }
            guard let finished else { throw StoreError(.notFound, "there is no delivery with id \(id) to finish") }
            guard let enrollment = try Self.enrollment(id: finished.enrollmentID, in: db) else { return }
            let wentOut = result.outcome == .delivered || result.outcome == .uncertain
            try Self.apply(
                next, to: enrollment, after: finished.stepID, tookTurn: wentOut, at: result.finishedAt, in: db)
        }
    }

    public func cancelDelivery(_ id: DeliveryID, dueAt: Date) throws {
        try write { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            DELETE FROM deliveries WHERE id = ? AND outcome = 'in_flight'
                            RETURNING enrollment_id, step_id, attempt
                            """), arguments: [id]),
                let enrollment = try Self.enrollment(id: row["enrollment_id"], in: db), enrollment.status.isLive
            else { return }
            let attempt: Int = row["attempt"]
            try Self.putDueSend(
                enrollmentID: enrollment.id, stepID: row["step_id"], dueAt: dueAt, attempt: max(0, attempt - 1),
                paused: enrollment.status == .paused, in: db)
        }
    }

    public func skipStep(enrollmentID: EnrollmentID, stepID: String, note: String, at date: Date, next: NextAction)
        throws
    {
        try write { db in
            guard let enrollment = try Self.enrollment(id: enrollmentID, in: db), enrollment.status.isLive,
                let prospect = try Self.prospect(id: enrollment.prospectID, in: db)
            else { return }
            let attempt =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT attempt FROM due_sends WHERE enrollment_id = ?"),
                    arguments: [enrollmentID]) ?? 0
            // Nothing was sent, so the channel and recipient are the prospect's as they stand.
            _ = try Self.insertDelivery(
                enrollment: enrollment, stepID: stepID, attempt: attempt, channel: prospect.preferredChannel,
                recipient: prospect.email.description, startedAt: date, outcome: .skipped, messageID: nil,
                subject: nil, note: note, finishedAt: date, in: db)
            try Self.deleteDueSend(of: enrollmentID, in: db)
            try Self.apply(next, to: enrollment, after: stepID, tookTurn: true, at: date, in: db)
        }
    }

    /// Only the daemon calls this, at start-up, before it begins anything itself: any attempt still in flight
    /// then belongs to a process that stopped mid-send.
    public func markInFlightUncertain(at date: Date) throws -> [Delivery] {
        try write { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE deliveries
                        SET outcome = 'uncertain',
                            note = 'in flight when the engine stopped: it may or may not have been sent'
                        WHERE outcome = 'in_flight' OR (outcome = 'uncertain' AND finished_at IS NULL)
                        RETURNING *
                        """)
            )
            .map(Delivery.init(row:))
            .sorted { $0.id < $1.id }
        }
    }

    public func deliveries(prospectID: ProspectID) throws -> [Delivery] {
        try read { db in
            try db.cachedStatement(sql: "SELECT * FROM deliveries WHERE prospect_id = ? ORDER BY started_at, id")
                .decodeAll(arguments: [prospectID], Delivery.init(row:))
        }
    }

    public func lastEmailSent(prospectID: ProspectID) throws -> Date? {
        try read { db in try Self.lastEmailSent(prospectID: prospectID, in: db) }
    }

    static func lastEmailSent(prospectID: ProspectID, in db: Database) throws -> Date? {
        // An uncertain email may have gone out when it started; the engine finishes it later, on restart. One
        // in flight (another worker, another process) is about to go out: it counts from its start.
        try Double.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MAX(CASE outcome WHEN 'delivered' THEN finished_at ELSE started_at END) FROM deliveries
                    WHERE prospect_id = ? AND channel = 'email' AND outcome IN ('delivered', 'uncertain', 'in_flight')
                    """), arguments: [prospectID]
        )
        .map(Date.init(timeIntervalSince1970:))
    }

    public func lastDeliveredEmail(enrollmentID: EnrollmentID) throws -> Delivery? {
        try read(oneStatement: true) { db in
            try db.cachedStatement(
                sql: """
                    SELECT * FROM deliveries
                    WHERE enrollment_id = ? AND channel = 'email' AND outcome = 'delivered'
                    ORDER BY COALESCE(finished_at, started_at) DESC, id DESC
                    LIMIT 1
                    """
            ).decodeFirst(arguments: [enrollmentID], Delivery.init(row:))
        }
    }

    private static func insertDelivery(
        enrollment: Enrollment, stepID: String, attempt: Int, channel: Channel, recipient: String, startedAt: Date,
        outcome: DeliveryOutcome, messageID: String?, subject: String?, note: String?, finishedAt: Date? = nil,
        in db: Database
    ) throws -> Delivery {
        try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (enrollment_id, prospect_id, campaign_id, step_id, attempt, channel, recipient,
                                        started_at, finished_at, outcome, message_id, subject, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            enrollment.id, enrollment.prospectID, enrollment.campaignID, stepID, attempt, channel.rawValue, recipient,
            startedAt.storedSeconds, finishedAt?.storedSeconds, outcome.rawValue, messageID, subject, note,
        ])
        return Delivery(
            id: db.lastInsertedRowID, enrollmentID: enrollment.id, prospectID: enrollment.prospectID,
            campaignID: enrollment.campaignID, stepID: stepID, attempt: attempt, channel: channel, recipient: recipient,
            startedAt: startedAt.asStored, finishedAt: finishedAt?.asStored, outcome: outcome, smtpCode: nil,
            smtpText: nil, messageID: messageID, subject: subject, note: note)
    }
}
