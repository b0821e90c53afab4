import ArgumentParser
import Foundation
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureStore

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll one prospect in a campaign.",
        discussion: """
            Saves the prospect (merging --var fields into what is stored) and schedules the first step. A \
            suppressed address is refused; a prospect already in the campaign is not enrolled twice unless \
            --restart. With a daemon running, the enrollment goes through its API and a `wait: 0` step leaves at \
            once.
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
        let enrolledAt = try at.map { text in
            guard let date = TimeFormat.parse(text) else {
                throw CommandFailure(message: "--at `\(text)` is not ISO 8601, like 2026-11-23T14:00:00Z")
            }
            return date
        }
        let call = EnrollmentCall(
            campaign: campaign, email: email, attributes: try prospectOptions.attributes(),
            timezone: timezone, prefers: prefers?.rawValue, restart: restart, enrolledAt: enrolledAt)
        let report = try options.perform("POST", "/v1/enrollments", call) { operations throws(APIError) in
            try operations.enroll(call)
        }
        if json {
            try JSONOutput.print(report)
        } else {
            for line in report.lines { print(line) }
        }
        for warning in report.warnings {
            FileHandle.standardError.write(Data("nurture: warning: \(warning)\n".utf8))
        }
    }
}

extension Channel: ExpressibleByArgument {}
