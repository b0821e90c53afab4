import ArgumentParser
import Foundation
import NurtureEngine
import NurtureHTTP
import NurtureStore

struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Record what a prospect did: reply, unsubscribe, bounce, click or goal.",
        discussion: """
            A reply ends the prospect's sequences; a goal ends them too (only --campaign's, when given); an \
            unsubscribe or a bounce ends every sequence and suppresses the address for good; a click is recorded.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The prospect's email address.") var email: String
    @Argument(help: "reply, unsubscribe, bounce, click or goal.") var kind: EventKind
    @Option(help: "The campaign the event concerns.") var campaign: String?
    @Option(help: "Where it came from (default: cli).") var source = "cli"
    @Option(help: "A note kept with the event.") var detail: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let call = EventCall(email: email, event: kind.rawValue, campaign: campaign, source: source, detail: detail)
        let report = try options.perform("POST", "/v1/events", call) { operations throws(APIError) in
            try operations.record(call)
        }
        if json { return try JSONOutput.print(report) }
        print("recorded \(report.event) for \(report.email)")
        if !report.ended.isEmpty { print("ended: \(report.ended.joined(separator: ", "))") }
        if report.suppressed { print("suppressed \(report.email) for every campaign") }
    }
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "End a prospect's sequences by hand.")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The prospect's email address.") var email: String
    @Option(help: "Only this campaign (default: all).") var campaign: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let call = StopCall(email: email, campaign: campaign)
        let report = try options.perform("POST", "/v1/stops", call) { operations throws(APIError) in
            try operations.stop(call)
        }
        if json {
            try JSONOutput.print(report)
        } else if report.ended.isEmpty {
            print("\(report.email) had no running sequence\(campaign.map { " in \($0)" } ?? "")")
        } else {
            print("ended: \(report.ended.joined(separator: ", "))")
        }
    }
}

extension EventKind: ExpressibleByArgument {
    /// Only what a person or another system can report; the engine records the rest itself.
    public init?(argument: String) {
        guard let kind = EventKind(rawValue: argument), Self.reportable.contains(kind) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { reportable.map(\.rawValue) }
}
