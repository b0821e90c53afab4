import ArgumentParser
import Foundation
import NurtureCampaigns
import NurtureEngine
import NurtureStore
import NurtureTimeline

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print when each step of a campaign would go out for one prospect, assuming no reply.",
        discussion: """
            Every step is timed as the engine times it: its wait counted in the prospect's time zone, then the \
            send window and the campaign's holidays, the minimum gap between emails and the prospect's preferred \
            channel. Each line shows the step, whether it goes as an email or as a task for the owner, the time on \
            the prospect's clocks and in UTC; below it, why it was moved, turned into a task or skipped. \
            Touches no state: nothing is enrolled and nothing is sent.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The campaign id.") var campaign: String
    @Option(help: "The prospect's email address.") var email: String
    @OptionGroup var prospectOptions: ProspectOptions
    @Option(
        help: ArgumentHelp(
            "When the prospect is enrolled (default: now): 2026-11-27T17:59:00-05:00, or a date or date-time "
                + "without an offset, read in the prospect's time zone.",
            valueName: "ISO8601"))
    var start: String?
    @Option(help: "The prospect's IANA time zone, e.g. Europe/Berlin (default: the campaign's `timezone`).")
    var timezone: String?
    @Option(help: "How the prospect wants to be reached: `phone` turns email steps into tasks for the owner.")
    var prefers: Channel = .email
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() throws {
        let workspace = try Workspace(options: options)
        let campaign = try workspace.campaign(self.campaign)
        let prospect = try prospectOptions.prospect(email: email)
        let zone = try timezone.map(Self.zone(named:))
        let calendar = ProspectCalendar(campaign: campaign, prospectTimeZone: zone)
        let start = try start.map { try Self.instant(parsing: $0, in: calendar) } ?? workspace.clock.now()
        let planner = StepPlanner(
            campaign: campaign, prospectTimeZone: zone, preferredChannel: prefers == .phone ? .phone : .email,
            attributes: prospect.attributes, enrolledAt: start,
            globalMinimumGap: workspace.configuration.engine.minimumGap)
        let steps = planner.plan(anchor: start, lastEmailSent: nil, now: start)
        let zoneName = zone.map(\.identifier) ?? "\(campaign.timeZoneIdentifier) (the campaign's zone)"
        if json {
            try JSONOutput.print(
                PlanReport(
                    campaign: campaign.id, email: prospect.email.description, timeZone: calendar.timeZone.identifier,
                    preferredChannel: prefers.rawValue, start: start, steps: steps.map(PlannedStepReport.init)))
        } else {
            print(
                "`\(campaign.id)` for \(prospect.email) in \(zoneName), enrolled "
                    + "\(TimeFormat.localAndUTC(start, in: calendar.timeZone)), assuming no reply:")
            for line in Self.lines(for: steps) { print(line) }
        }
    }

    /// One aligned line per step (id, channel, local time, UTC), each followed by its explanations, indented.
    static func lines(for steps: [PlannedStep], indent: String = "") -> [String] {
        var table = TextTable([.left, .left, .left, .left])
        for step in steps {
            table.append([
                step.stepID, step.isSkipped ? "skipped" : step.channel.rawValue,
                TimeFormat.local(step.due, in: step.calendar.timeZone), TimeFormat.utc(step.due),
            ])
        }
        return zip(steps, table.lines).flatMap { step, line in
            [indent + line] + step.explanations.map { indent + "    " + $0 }
        }
    }

    static func zone(named name: String) throws -> TimeZone {
        do {
            return try Enroller.timeZone(named: name)
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    /// An instant with an offset as written; a date (its midnight) or a date-time without one on the prospect's
    /// clocks, as the person planning reads them.
    static func instant(parsing text: String, in calendar: ProspectCalendar) throws -> Date {
        if let date = LocalDate(parsing: text), let midnight = TimeOfDay(hour: 0, minute: 0) {
            return calendar.instant(on: date, at: midnight)
        }
        if let instant = TimeFormat.parse(text) ?? calendar.instant(parsingAttribute: text) { return instant }
        throw CommandFailure(
            message: "`--start \(text)` is not an ISO 8601 date-time; write it like 2026-11-27T17:59:00-05:00")
    }
}

/// `nurture plan --json`.
private struct PlanReport: Encodable {
    let campaign: String
    let email: String
    let timeZone: String
    let preferredChannel: String
    let start: Date
    let steps: [PlannedStepReport]

    enum CodingKeys: String, CodingKey {
        case campaign, email, start, steps
        case timeZone = "time_zone"
        case preferredChannel = "preferred_channel"
    }
}
