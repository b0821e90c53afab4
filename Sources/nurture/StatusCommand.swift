import ArgumentParser
import Foundation
import NurtureCampaigns
import NurtureHTTP
import NurtureStore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what is pending and due: prospects, enrollments, sends, problems, campaigns.",
        discussion: """
            With a daemon running, asks it (its API) and also shows its pid, its last reload and the last reload it \
            refused, with the error's path:line:col; otherwise reads the state database directly. Changes \
            nothing. "Due now" counts steps whose \
            time has come and that the daemon has not sent yet; "pending" those still to come. An uncertain \
            delivery was in flight when the engine stopped: it may or may not have reached the server, so it was \
            not resent; look at the prospect with `nurture timeline EMAIL`. Campaign errors are counted here and \
            listed by `nurture check`.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() throws {
        // The daemon's own view when one runs: the campaigns it actually runs, its last reload and send errors.
        let report = try options.perform("GET", "/v1/status", String?.none) { operations throws(APIError) in
            try operations.status()
        }
        if json {
            try JSONOutput.print(report)
        } else {
            for line in report.lines(zone: .current) { print(line) }
        }
    }
}

/// What `nurture status` shows; `--json` prints it as it is. With a daemon running it comes from the daemon
/// (`GET /v1/status`), so it shows the campaigns the daemon runs and its last error.
struct StatusReport: Codable, Sendable {
    struct Campaigns: Codable, Sendable {
        let loaded: [String]
        let errors: Int
        let firstError: String?

        enum CodingKeys: String, CodingKey {
            case loaded, errors
            case firstError = "first_error"
        }
    }

    let now: Date
    let database: String
    let prospects: Int
    /// Every status, zeros included, so a script can read `enrollments.active` without a default.
    let enrollments: [String: Int]
    let dueNow: Int
    let pending: Int
    let nextDueAt: Date?
    let uncertainDeliveries: Int
    let failedDeliveries: Int
    let suppressed: Int
    let campaigns: Campaigns
    /// Only from a running daemon.
    let daemon: Daemon?

    /// What a running daemon says about itself.
    struct Daemon: Codable, Sendable {
        let pid: Int32
        let startedAt: Date
        let lastReloadAt: Date?
        /// The last reload refused, with its path:line:col; nil once a reload succeeds.
        let reloadError: String?
        /// The last send that failed or bounced.
        let lastSendError: String?
        let api: String?

        enum CodingKeys: String, CodingKey {
            case pid, api
            case startedAt = "started_at"
            case lastReloadAt = "last_reload_at"
            case reloadError = "reload_error"
            case lastSendError = "last_send_error"
        }
    }

    enum CodingKeys: String, CodingKey {
        case now, database, prospects, enrollments, pending, suppressed, campaigns, daemon
        case dueNow = "due_now"
        case nextDueAt = "next_due_at"
        case uncertainDeliveries = "uncertain_deliveries"
        case failedDeliveries = "failed_deliveries"
    }

    init(runtime: Runtime, daemon: Daemon? = nil) throws {
        self.daemon = daemon
        now = runtime.clock.now()
        database = runtime.workspace.configuration.databasePath
        let summary: StoreSummary
        do {
            summary = try runtime.store.summary(now: now)
        } catch {
            throw CommandFailure(message: "cannot read the state database \(database): \(error)")
        }
        prospects = summary.prospects
        var enrollments = Dictionary(uniqueKeysWithValues: EnrollmentStatus.allCases.map { ($0.rawValue, 0) })
        enrollments.merge(summary.enrollmentsByStatus) { _, stored in stored }
        self.enrollments = enrollments
        dueNow = summary.dueNow
        pending = summary.pending
        nextDueAt = summary.nextDueAt
        uncertainDeliveries = summary.uncertainDeliveries
        failedDeliveries = summary.failedDeliveries
        suppressed = summary.suppressed
        let set = runtime.workspace.campaigns
        campaigns = Campaigns(
            loaded: set.campaigns.map(\.id), errors: set.errors.count, firstError: set.errors.first?.description)
    }

    /// The report for a person, times in `zone` (the server's) and in UTC.
    func lines(zone: TimeZone) -> [String] {
        var lines = ["state: \(database)", "prospects: \(prospects)"]
        let statuses = EnrollmentStatus.allCases.map { "\(enrollments[$0.rawValue] ?? 0) \($0.rawValue)" }
        let total = enrollments.values.reduce(0, +)
        lines.append("enrollments: \(total)\(total == 0 ? "" : " (\(statuses.joined(separator: ", ")))")")
        lines.append("due now: \(dueNow)\(dueNow > 0 ? " (the daemon sends them when it runs: `nurture run`)" : "")")
        lines.append("pending: \(pending)")
        if let nextDueAt { lines.append("next due: \(TimeFormat.localAndUTC(nextDueAt, in: zone))") }
        var uncertain = "uncertain deliveries: \(uncertainDeliveries)"
        if uncertainDeliveries > 0 {
            let one = uncertainDeliveries == 1
            uncertain +=
                " (\(counted(uncertainDeliveries, "send")) \(one ? "was" : "were") in flight when the engine stopped; "
                + "\(one ? "it was" : "they were") not resent: check \(one ? "it" : "them") with "
                + "`nurture timeline EMAIL`)"
        }
        lines.append(uncertain)
        let failedHint = failedDeliveries > 0 ? " (retries ran out; the owner was told)" : ""
        lines.append("failed deliveries: \(failedDeliveries)\(failedHint)")
        lines.append("suppressed addresses: \(suppressed)")
        let loaded = campaigns.loaded.isEmpty ? "none" : campaigns.loaded.joined(separator: ", ")
        lines.append("campaigns: \(campaigns.loaded.count) loaded (\(loaded))")
        if let first = campaigns.firstError {
            lines.append(
                "campaign errors: \(campaigns.errors), the first: \(first)"
                    + (campaigns.errors > 1 ? " (run `nurture check` for all)" : ""))
        }
        if let daemon {
            lines.append(
                "daemon: running, pid \(daemon.pid), since \(TimeFormat.localAndUTC(daemon.startedAt, in: zone))"
                    + (daemon.api.map { ", API at \($0)" } ?? ""))
            if let error = daemon.reloadError {
                lines.append("last reload refused, the running campaigns are unchanged: \(error)")
            } else if let reloaded = daemon.lastReloadAt {
                lines.append("last reload: \(TimeFormat.localAndUTC(reloaded, in: zone))")
            }
            if let error = daemon.lastSendError { lines.append("last send error: \(error)") }
        }
        return lines
    }
}
