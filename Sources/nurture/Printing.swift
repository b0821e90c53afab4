import Foundation
import NurtureHTTP
import NurtureStore
import NurtureTimeline

/// Data output for `--json`: pretty, keys sorted, dates as ISO 8601 instants in UTC.
enum JSONOutput {
    static func encoded<Value: Encodable>(_ value: Value) throws -> String {
        do {
            return String(decoding: try JSONEncoder.api.encode(value), as: UTF8.self)
        } catch {
            throw CommandFailure(message: "cannot write the report as JSON: \(error)")
        }
    }

    static func print<Value: Encodable>(_ value: Value) throws {
        Swift.print(try encoded(value))
    }
}

/// `JSONOutput.print` for values that always encode (dictionaries of strings, plain report structs).
func printJSON<Value: Encodable>(_ value: Value) {
    Swift.print((try? JSONOutput.encoded(value)) ?? "null")
}

/// Columns padded to their widest cell, numbers aligned right: what `forecast` and `plan` print.
struct TextTable {
    enum Alignment { case left, right }

    private let alignments: [Alignment]
    private var rows: [[String]] = []

    init(_ alignments: [Alignment]) {
        self.alignments = alignments
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The rows, two spaces between columns, no trailing blanks.
    var lines: [String] {
        let count = rows.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                let alignment = column < alignments.count ? alignments[column] : .left
                return alignment == .right ? padding + cell : cell + padding
            }
            return String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed())
        }
    }
}

extension TimeFormat {
    /// `Thu 2026-12-03 08:30 GMT+5:30 (2026-12-03T03:00:00Z)`.
    static func localAndUTC(_ date: Date, in zone: TimeZone) -> String {
        "\(local(date, in: zone)) (\(utc(date)))"
    }
}

/// `1 send`, `3 sends`.
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}

/// A planned step as `plan --json` and `timeline --json` show it.
struct PlannedStepReport: Encodable {
    let step: String
    let index: Int
    /// `email` or `task`.
    let channel: String
    let skipped: Bool
    /// UTC.
    let at: Date
    /// On the prospect's clocks.
    let local: String
    let timeZone: String
    let explanations: [String]

    enum CodingKeys: String, CodingKey {
        case step, index, channel, skipped, at, local, explanations
        case timeZone = "time_zone"
    }

    init(_ planned: PlannedStep) {
        step = planned.stepID
        index = planned.index
        channel = planned.channel.rawValue
        skipped = planned.isSkipped
        at = planned.due
        local = TimeFormat.local(planned.due, in: planned.calendar.timeZone)
        timeZone = planned.calendar.timeZone.identifier
        explanations = planned.explanations
    }
}

/// One send, skip or event in a prospect's history, for `timeline`.
struct HistoryEntry: Encodable {
    let at: Date
    /// On the prospect's clocks (the campaign's, for a prospect without a zone).
    let local: String
    /// `delivery` or `event`.
    let type: String
    let campaign: String?
    let step: String?
    let attempt: Int?
    /// `email`, or `task` for a reminder to the owner.
    let channel: String?
    let recipient: String?
    let outcome: String?
    let smtpCode: Int?
    let smtpText: String?
    let messageID: String?
    let subject: String?
    let note: String?
    let event: String?
    let source: String?
    let detail: String?

    enum CodingKeys: String, CodingKey {
        case at, local, type, campaign, step, attempt, channel, recipient, outcome, subject, note, event, source
        case detail
        case smtpCode = "smtp_code"
        case smtpText = "smtp_text"
        case messageID = "message_id"
    }

    init(_ delivery: Delivery, zone: TimeZone) {
        at = delivery.startedAt
        local = TimeFormat.local(delivery.startedAt, in: zone)
        type = "delivery"
        campaign = delivery.campaignID
        step = delivery.stepID
        attempt = delivery.attempt
        channel = delivery.channel == .phone ? "task" : "email"
        recipient = delivery.recipient
        outcome = delivery.outcome.rawValue
        smtpCode = delivery.smtpCode
        smtpText = delivery.smtpText
        messageID = delivery.messageID
        subject = delivery.subject
        note = delivery.note
        (event, source, detail) = (nil, nil, nil)
    }

    init(_ event: ProspectEvent, zone: TimeZone) {
        at = event.occurredAt
        local = TimeFormat.local(event.occurredAt, in: zone)
        type = "event"
        campaign = event.campaignID
        step = event.stepID
        (attempt, channel, recipient, outcome) = (nil, nil, nil, nil)
        (smtpCode, smtpText, messageID, subject, note) = (nil, nil, nil, nil, nil)
        self.event = event.kind.rawValue
        source = event.source
        detail = event.detail
    }

    /// One word: what happened.
    var what: String {
        if let event { return event }
        switch outcome.flatMap(DeliveryOutcome.init(rawValue:)) {
        case .delivered: return "sent"
        case .inFlight: return "sending"
        case .transientFailure: return "deferred"
        case .permanentFailure: return "bounced"
        case .failed: return "failed"
        case .uncertain: return "uncertain"
        case .skipped: return "skipped"
        case nil: return outcome ?? "?"
        }
    }

    /// The rest of the line: which step, to whom, the server's reply, the Message-ID, the note.
    var summary: String {
        guard type == "delivery" else {
            var text = "from \(source ?? "?")"
            if let campaign { text += ", \(campaign)" + (step.map { "/\($0)" } ?? "") }
            if let detail, !detail.isEmpty { text += ": \(detail)" }
            return text
        }
        var parts = ["\(campaign ?? "?")/\(step ?? "?")"]
        if outcome != DeliveryOutcome.skipped.rawValue {
            parts.append("\(channel ?? "email") to \(recipient ?? "?"), attempt \(attempt ?? 1)")
        }
        if let subject { parts.append("\"\(subject)\"") }
        let reply = [smtpCode.map(String.init), smtpText].compactMap { $0 }.joined(separator: " ")
        if !reply.isEmpty { parts.append("server: \(reply)") }
        if let messageID { parts.append("Message-ID \(messageID)") }
        if let note { parts.append(note) }
        return parts.joined(separator: "; ")
    }
}
