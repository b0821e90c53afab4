import ArgumentParser
import Foundation
import NurtureCampaigns
import NurtureStore
import NurtureTimeline

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Count the emails and tasks each campaign step will send on each of the next N days.",
        discussion: """
            Plans the remaining steps of every running enrollment as the engine will send them (send windows, \
            holidays, the minimum gap, preferred channels), assuming nobody replies, and counts them per campaign \
            step and per day (UTC), from now to the end of the last day. Emails to prospects and tasks for owners \
            are counted apart. Paused enrollments are left out: they wait for another campaign to end. Reads the \
            state a running daemon uses, without changing anything.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "How many days to count, today (UTC) included.") var days = 7
    @Flag(help: "Print the forecast as JSON.") var json = false

    static let longestForecast = 366

    func run() throws {
        guard (1...Self.longestForecast).contains(days) else {
            throw CommandFailure(message: "`--days \(days)` must be between 1 and \(Self.longestForecast)")
        }
        let runtime = try Runtime(options: options)
        let forecast = try runtime.reading { try Forecast(runtime: runtime, days: days) }
        if json {
            try JSONOutput.print(forecast)
        } else {
            for line in forecast.lines(zone: .current) { print(line) }
        }
    }
}

/// Sends per campaign step and per UTC day; what `nurture forecast` prints.
struct Forecast: Encodable {
    struct Row: Encodable {
        let campaign: String
        let step: String
        /// `email` or `task`: an email step counts as a task for a prospect who prefers the phone.
        let channel: String
        /// One count per day of `days`.
        let counts: [Int]
        let total: Int
    }

    let now: Date
    /// The UTC days counted, `2026-11-27` first: today, from now, and the whole of the days after.
    let days: [String]
    let rows: [Row]
    let emails: [Int]
    let tasks: [Int]
    /// Running enrollments with at least one send in the forecast.
    let enrollments: Int
    /// Left out: they send nothing until the campaign ahead of them ends.
    let paused: Int
    /// Left out: their campaign is not loaded, or their step is no longer in it.
    let unplannable: Int

    init(runtime: Runtime, days count: Int) throws {
        let now = runtime.clock.now()
        let firstDay = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        var tally = Tally(
            start: Date(timeIntervalSince1970: firstDay),
            end: Date(timeIntervalSince1970: firstDay + Double(count) * 86_400), days: count)
        var unplannable = 0
        for scheduled in try runtime.scheduledSends(dueBefore: tally.end) {
            let (due, enrollment) = (scheduled.due, scheduled.enrollment)
            guard let campaign = runtime.catalog.campaign(id: enrollment.campaignID),
                let index = campaign.steps.firstIndex(where: { $0.id == due.stepID })
            else {
                unplannable += 1
                continue
            }
            let planner = runtime.settings.planner(
                for: campaign, prospect: scheduled.prospect, enrolledAt: enrollment.enrolledAt)
            let lastEmail = scheduled.lastEmailSent
            let first = planner.dueStep(due, at: index, of: enrollment, lastEmailSent: lastEmail, now: now)
            tally.count(from: first, planner: planner, lastEmailSent: lastEmail, campaign: campaign)
        }
        self.now = now
        let dayFormat = ISO8601DateFormatter()
        dayFormat.formatOptions = [.withFullDate]
        self.days = (0..<count).map {
            dayFormat.string(from: Date(timeIntervalSince1970: firstDay + Double($0) * 86_400))
        }
        rows = tally.rows
        emails = tally.totals(.email)
        tasks = tally.totals(.task)
        enrollments = tally.enrollments
        paused = try runtime.store.summary(now: now).enrollmentsByStatus[EnrollmentStatus.paused.rawValue] ?? 0
        self.unplannable = unplannable
    }

    /// A table: one row per campaign step and channel, one column per day (`11-27`), a total column; then the
    /// totals of emails and tasks.
    func lines(zone: TimeZone) -> [String] {
        var lines = [
            "from \(TimeFormat.localAndUTC(now, in: zone)) to the end of \(days.last ?? "today") (UTC), "
                + "by UTC day, assuming no replies:"
        ]
        var table = TextTable([.left, .left, .left] + Array(repeating: .right, count: days.count + 1))
        table.append(["campaign", "step", "kind"] + days.map { String($0.dropFirst(5)) } + ["total"])
        for row in rows {
            table.append([row.campaign, row.step, row.channel] + (row.counts + [row.total]).map(String.init))
        }
        table.append(["all emails", "", ""] + (emails + [emails.reduce(0, +)]).map(String.init))
        table.append(["all tasks", "", ""] + (tasks + [tasks.reduce(0, +)]).map(String.init))
        lines += table.lines
        lines.append("\(counted(enrollments, "running enrollment")) with sends in these days")
        if paused > 0 {
            let waits = paused == 1 ? "it waits" : "they wait"
            lines.append("\(counted(paused, "paused enrollment")) not counted: \(waits) for another campaign to end")
        }
        if unplannable > 0 {
            lines.append(
                "\(counted(unplannable, "enrollment")) not counted: the campaign is not loaded or no longer has the "
                    + "step (run `nurture check`)")
        }
        return lines
    }
}

/// A due step of an active enrollment with what planning it needs.
struct ScheduledSend {
    let due: DueSend
    let enrollment: Enrollment
    let prospect: StoredProspect
    let lastEmailSent: Date?
}

extension Runtime {
    /// Every due step of an active enrollment due before `date`, earliest first. A plan never brings a step before
    /// its stored time, so later ones cannot send before `date` either.
    ///
    /// Three reads per enrollment (a prospect's two only once): a bulk query in the store would make this one.
    func scheduledSends(dueBefore date: Date) throws -> [ScheduledSend] {
        var prospects: [ProspectID: (prospect: StoredProspect, lastEmail: Date?)] = [:]
        var scheduled: [ScheduledSend] = []
        for due in try store.dueSends(limit: nil) {
            if due.dueAt >= date { break }
            guard let enrollment = try store.enrollment(id: due.enrollmentID), enrollment.status == .active else {
                continue
            }
            if prospects[enrollment.prospectID] == nil, let prospect = try store.prospect(id: enrollment.prospectID) {
                prospects[prospect.id] = (prospect, try store.lastEmailSent(prospectID: prospect.id))
            }
            guard let known = prospects[enrollment.prospectID] else { continue }
            scheduled.append(
                ScheduledSend(
                    due: due, enrollment: enrollment, prospect: known.prospect, lastEmailSent: known.lastEmail))
        }
        return scheduled
    }
}

/// Counts planned sends into day columns, one enrollment at a time.
private struct Tally {
    struct Key: Hashable {
        let campaign: String
        let index: Int
        let step: String
        let channel: PlannedStep.Channel
    }

    let start: Date
    let end: Date
    let days: Int
    private var counts: [Key: [Int]] = [:]
    private(set) var enrollments = 0

    init(start: Date, end: Date, days: Int) {
        self.start = start
        self.end = end
        self.days = days
    }

    /// Counts `first` and every step after it that falls before `end`, assuming no reply: each counts its wait
    /// from the one before, and each email is the last email for the next one's gap (as `StepPlanner.plan`).
    mutating func count(from first: PlannedStep?, planner: StepPlanner, lastEmailSent: Date?, campaign: Campaign) {
        var step = first
        var lastEmail = lastEmailSent
        var counted = false
        while let current = step, current.due < end {
            if !current.isSkipped {
                let key = Key(
                    campaign: campaign.id, index: current.index, step: current.stepID, channel: current.channel)
                let day = Int(current.due.timeIntervalSince(start) / 86_400)
                counts[key, default: Array(repeating: 0, count: days)][min(max(day, 0), days - 1)] += 1
                counted = true
                if current.channel == .email { lastEmail = current.due }
            }
            step = planner.nextStep(
                index: current.index + 1, anchor: current.due, lastEmailSent: lastEmail, now: current.due)
        }
        if counted { enrollments += 1 }
    }

    var rows: [Forecast.Row] {
        counts.sorted { lhs, rhs in
            (lhs.key.campaign, lhs.key.index, lhs.key.channel.rawValue)
                < (rhs.key.campaign, rhs.key.index, rhs.key.channel.rawValue)
        }.map { key, counts in
            Forecast.Row(
                campaign: key.campaign, step: key.step, channel: key.channel.rawValue, counts: counts,
                total: counts.reduce(0, +))
        }
    }

    func totals(_ channel: PlannedStep.Channel) -> [Int] {
        counts.filter { $0.key.channel == channel }.values.reduce(Array(repeating: 0, count: days)) { sums, counts in
            zip(sums, counts).map(+)
        }
    }
}
