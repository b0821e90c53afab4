import ArgumentParser
import Foundation
import NurtureCore
import NurtureEngine
import NurtureStore

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll one prospect in a campaign.",
        discussion: """
            Saves the prospect (merging --var fields into what is stored) and schedules the first step. A \
            suppressed address is refused; a prospect already in the campaign is not enrolled twice unless \
            --restart. A running daemon picks the enrollment up within a second.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The campaign id.") var campaign: String
    @Option(help: "The prospect's email address.") var email: String
    @OptionGroup var prospectOptions: ProspectOptions
    @Option(help: "The prospect's IANA time zone, e.g. Europe/Berlin (default: the campaign's).") var timezone: String?
    @Option(help: "How the prospect wants to be reached: email, or phone (email steps become owner tasks).")
    var prefers: Channel?
    @Flag(help: "End an enrollment already running in this campaign and start again.") var restart = false
    @Option(help: "When the prospect enrolled (ISO 8601), e.g. the form's time; default now.") var at: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let clock: any WallClock =
            try at.map { text in
                guard let date = TimeFormat.parse(text) else {
                    throw CommandFailure(message: "--at `\(text)` is not ISO 8601, like 2026-11-23T14:00:00Z")
                }
                return ManualClock(date)
            } ?? SystemClock()
        let runtime = try Runtime(options: options, clock: clock)
        let prospect = try prospectOptions.prospect(email: email)
        let draft = ProspectDraft(
            email: prospect.email, attributes: prospect.attributes, timeZone: timezone, preferredChannel: prefers)
        let outcome: EnrollOutcome
        do {
            outcome = try runtime.enroller.enroll(draft, in: campaign, restart: restart)
        } catch let error as EnrollError {
            throw CommandFailure(message: error.description)
        }
        let zone = outcome.firstStep?.calendar.timeZone ?? .gmt
        switch outcome.result {
        case .enrolled(let enrollment, let paused):
            var lines = [
                "enrolled \(prospect.email) in \(campaign)"
                    + (enrollment.status == .paused
                        ? " (paused: a campaign of higher or equal priority is running)" : "")
            ]
            if let first = outcome.firstStep {
                lines.append(
                    "first step `\(first.stepID)` at \(TimeFormat.local(first.due, in: zone)) (\(TimeFormat.utc(first.due)))"
                )
            }
            lines += paused.map { "paused \($0.campaignID) for this prospect" }
            report(
                lines,
                json: [
                    "outcome": "enrolled", "enrollment": "\(enrollment.id)", "status": enrollment.status.rawValue,
                    "first_step": outcome.firstStep?.stepID ?? "",
                    "first_due": outcome.firstStep.map { TimeFormat.utc($0.due) } ?? "",
                ])
        case .alreadyActive(let enrollment):
            if json { printJSON(["outcome": "already_active", "enrollment": "\(enrollment.id)"]) }
            throw CommandFailure(
                message:
                    "\(prospect.email) is already in \(campaign) (\(enrollment.status.rawValue)); use --restart to start again"
            )
        case .suppressed(let suppression):
            if json { printJSON(["outcome": "suppressed", "reason": suppression.reason]) }
            throw CommandFailure(
                message: "\(prospect.email) is suppressed (\(suppression.reason)); it cannot be enrolled")
        }
    }

    private func report(_ lines: [String], json object: [String: String]) {
        guard !json else { return printJSON(object) }
        for line in lines { print(line) }
    }
}

extension Channel: ExpressibleByArgument {}
