import ArgumentParser
import Foundation
import NurtureCampaigns
import NurtureStore
import NurtureTimeline

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show one prospect's history, next step and why.",
        discussion: """
            Prints the prospect (attributes, time zone, preferred channel, suppression), every enrollment with its \
            status and why it ended, then every send, skip and event in time order. For each running enrollment \
            it shows the next step at the exact time the engine will send it, on the prospect's clocks and in \
            UTC, and why it goes then: moved into the send window or past a holiday, pushed to keep the minimum \
            gap, turned into a task, overdue, or skipped as too late. A paused enrollment names the campaign it \
            waits for. Reads the state a running daemon uses, without changing anything.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The prospect's email address.") var email: String
    @Flag(help: "Print the timeline as JSON.") var json = false

    func run() throws {
        let runtime = try Runtime(options: options)
        let report = try runtime.reading { try TimelineReport(runtime: runtime, email: email) }
        if json {
            try JSONOutput.print(report)
        } else {
            for line in report.lines() { print(line) }
        }
    }
}

extension Runtime {
    /// Runs `body`, turning a state-database failure into one line for stderr.
    func reading<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }
}

/// What `nurture timeline EMAIL` shows; `--json` prints it as it is.
struct TimelineReport: Encodable {
    struct ProspectEntry: Encodable {
        let email: String
        let attributes: [String: String]
        let timeZone: String?
        let preferredChannel: String
        let createdAt: Date
        let suppression: SuppressionEntry?

        enum CodingKeys: String, CodingKey {
            case email, attributes, suppression
            case timeZone = "time_zone"
            case preferredChannel = "preferred_channel"
            case createdAt = "created_at"
        }
    }

    struct SuppressionEntry: Encodable {
        let reason: String
        let since: Date
        let source: String
    }

    struct EnrollmentEntry: Encodable {
        let id: Int64
        let campaign: String
        let status: String
        /// The zone its times are counted in: the prospect's, or the campaign's for a prospect with none.
        let timeZone: String
        let stopReason: String?
        let enrolledAt: Date
        let endedAt: Date?
        let lastStep: String?
        let lastStepAt: Date?
        /// The due step, then any steps after it while they are skipped.
        let next: [PlannedStepReport]
        /// What the plan cannot say: paused behind another campaign, retrying, campaign gone.
        let notes: [String]

        enum CodingKeys: String, CodingKey {
            case id, campaign, status, next, notes
            case timeZone = "time_zone"
            case stopReason = "stop_reason"
            case enrolledAt = "enrolled_at"
            case endedAt = "ended_at"
            case lastStep = "last_step"
            case lastStepAt = "last_step_at"
        }
    }

    let now: Date
    let prospect: ProspectEntry
    let enrollments: [EnrollmentEntry]
    let history: [HistoryEntry]

    init(runtime: Runtime, email: String) throws {
        let store = runtime.store
        let prospect = try runtime.prospect(email)
        let now = runtime.clock.now()
        self.now = now
        self.prospect = ProspectEntry(
            email: prospect.email.description, attributes: prospect.attributes, timeZone: prospect.timeZone,
            preferredChannel: prospect.preferredChannel.rawValue, createdAt: prospect.createdAt,
            suppression: try store.suppression(email: prospect.email).map {
                SuppressionEntry(reason: $0.reason, since: $0.since, source: $0.source)
            })
        let enrollments = try store.enrollments(prospectID: prospect.id)
        let deliveries = try store.deliveries(prospectID: prospect.id)
        let lastEmail = try store.lastEmailSent(prospectID: prospect.id)
        let planning = EnrollmentPlanning(
            runtime: runtime, prospect: prospect, all: enrollments, deliveries: deliveries, lastEmail: lastEmail,
            now: now)
        self.enrollments = try enrollments.map { try planning.entry(for: $0) }
        let events = try store.events(prospectID: prospect.id)
        history =
            (deliveries.map { HistoryEntry($0, zone: planning.zone(for: $0.campaignID)) }
            + events.map { HistoryEntry($0, zone: planning.zone(for: $0.campaignID)) })
            .enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    func lines() -> [String] {
        var lines = ["\(prospect.email)"]
        let zone = prospect.timeZone ?? "none set (each campaign's own zone applies)"
        lines.append("  time zone: \(zone)")
        lines.append("  prefers: \(prospect.preferredChannel)")
        let attributes = prospect.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines.append("  attributes: \(attributes.isEmpty ? "none" : attributes.joined(separator: ", "))")
        if let suppression = prospect.suppression {
            lines.append(
                "  suppressed for good since \(TimeFormat.utc(suppression.since)) (\(suppression.reason), "
                    + "from \(suppression.source)): nothing more is sent to this address")
        }
        lines.append("")
        lines.append(enrollments.isEmpty ? "enrollments: none" : "enrollments:")
        for enrollment in enrollments { lines += Self.lines(for: enrollment) }
        lines.append("")
        lines.append(history.isEmpty ? "history: nothing sent or recorded yet" : "history:")
        var table = TextTable([.left, .left, .left, .left])
        for entry in history { table.append([entry.local, TimeFormat.utc(entry.at), entry.what, entry.summary]) }
        lines += table.lines.map { "  " + $0 }
        return lines
    }

    private static func lines(for enrollment: EnrollmentEntry) -> [String] {
        var status = enrollment.status
        if let reason = enrollment.stopReason { status += " (\(reason.replacingOccurrences(of: "_", with: " ")))" }
        let zone = TimeZone(identifier: enrollment.timeZone) ?? .gmt
        var line =
            "  \(enrollment.campaign): \(status), enrolled \(TimeFormat.localAndUTC(enrollment.enrolledAt, in: zone))"
        if let ended = enrollment.endedAt { line += ", ended \(TimeFormat.localAndUTC(ended, in: zone))" }
        if let last = enrollment.lastStep, let at = enrollment.lastStepAt {
            line += "; last step `\(last)` at \(TimeFormat.localAndUTC(at, in: zone))"
        }
        var lines = [line] + enrollment.notes.map { "    " + $0 }
        for (position, step) in enrollment.next.enumerated() {
            let how = step.skipped ? "skipped at" : "by \(step.channel) at"
            lines.append(
                "    \(position == 0 ? "next" : "then"): \(step.step) \(how) \(step.local) (\(TimeFormat.utc(step.at)))"
            )
            lines += step.explanations.map { "      " + $0 }
        }
        return lines
    }
}

/// Works out each enrollment's next step, and what keeps it waiting, for `TimelineReport`.
private struct EnrollmentPlanning {
    let runtime: Runtime
    let prospect: StoredProspect
    let all: [Enrollment]
    let deliveries: [Delivery]
    let lastEmail: Date?
    let now: Date

    func entry(for enrollment: Enrollment) throws -> TimelineReport.EnrollmentEntry {
        let (next, notes) = enrollment.status.isLive ? try upcoming(enrollment) : ([], [])
        return TimelineReport.EnrollmentEntry(
            id: enrollment.id, campaign: enrollment.campaignID, status: enrollment.status.rawValue,
            timeZone: zone(for: enrollment.campaignID).identifier,
            stopReason: enrollment.stopReason?.rawValue, enrolledAt: enrollment.enrolledAt,
            endedAt: enrollment.endedAt, lastStep: enrollment.lastStepID, lastStepAt: enrollment.lastStepAt,
            next: next.map(PlannedStepReport.init), notes: notes)
    }

    /// The prospect's zone, or the campaign's for a prospect with none: where the engine counts their times.
    func zone(for campaignID: String?) -> TimeZone {
        prospect.timeZone.flatMap(TimeZone.init(identifier:))
            ?? campaignID.flatMap { runtime.catalog.campaign(id: $0)?.timeZone } ?? .current
    }

    private func upcoming(_ enrollment: Enrollment) throws -> (steps: [PlannedStep], notes: [String]) {
        guard let campaign = runtime.catalog.campaign(id: enrollment.campaignID) else {
            let problem =
                "campaign `\(enrollment.campaignID)` is not loaded (removed, or it has errors: run `nurture check`)"
            return ([], [problem + "; the engine ends this enrollment when its step falls due"])
        }
        guard let due = try runtime.store.dueSend(enrollmentID: enrollment.id) else {
            let sending = deliveries.last { $0.enrollmentID == enrollment.id && $0.outcome == .inFlight }
            return ([], [sending.map { "`\($0.stepID)` is being sent now" } ?? "no step is scheduled"])
        }
        guard let index = campaign.steps.firstIndex(where: { $0.id == due.stepID }) else {
            let after = enrollment.lastStepID.map { "the step after `\($0)`" } ?? "the first step"
            return (
                [],
                ["step `\(due.stepID)` is no longer in the campaign; the engine will skip it and go on with \(after)"]
            )
        }
        if enrollment.status == .paused {
            return ([], [waitingNote(for: enrollment, campaign: campaign) + "; then `\(due.stepID)`"])
        }
        let planner = try runtime.settings.planner(
            for: campaign, prospect: prospect, enrollment: enrollment, store: runtime.store)
        guard var step = planner.dueStep(due, at: index, of: enrollment, lastEmailSent: lastEmail, now: now) else {
            return ([], [])
        }
        var notes: [String] = []
        if due.attempt > 0 {
            notes.append(
                "attempt \(due.attempt + 1) after a temporary failure, not before \(TimeFormat.utc(due.dueAt))")
            step = Self.withoutOverdue(step)
        }
        // A skipped step hands over to the next at once: show up to the first that goes out.
        var steps = [step]
        var lastEmail = lastEmail
        while let last = steps.last, last.isSkipped,
            let following = planner.nextStep(
                index: last.index + 1, anchor: last.due, lastEmailSent: lastEmail, now: last.due)
        {
            steps.append(following)
            if following.channel == .email, !following.isSkipped { lastEmail = following.due }
        }
        return (steps, notes)
    }

    /// A retry waits for its backoff, not because it is late.
    private static func withoutOverdue(_ step: PlannedStep) -> PlannedStep {
        PlannedStep(
            index: step.index, stepID: step.stepID, channel: step.channel, due: step.due,
            adjustments: step.adjustments.filter {
                if case .overdue = $0 { return false }
                return true
            }, calendar: step.calendar)
    }

    /// Which running campaign holds this one paused: the store pauses a campaign behind one of higher or equal
    /// priority.
    private func waitingNote(for enrollment: Enrollment, campaign: Campaign) -> String {
        let blockers = all.filter { other in
            other.status == .active && other.id != enrollment.id
                && (runtime.catalog.campaign(id: other.campaignID).map { $0.priority >= campaign.priority } ?? true)
        }
        guard !blockers.isEmpty else { return "paused: waits for a campaign of higher priority to end" }
        let names = blockers.map { other in
            let priority = runtime.catalog.campaign(id: other.campaignID).map { " (priority \($0.priority))" } ?? ""
            return "`\(other.campaignID)`\(priority)"
        }
        return
            "paused: waits for \(names.joined(separator: " and ")) to end (this one has priority \(campaign.priority))"
    }
}
