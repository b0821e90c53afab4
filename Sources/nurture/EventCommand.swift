import ArgumentParser
import Foundation
import NurtureEngine
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
        let runtime = try Runtime(options: options)
        let outcome = try runtime.actions.record(
            kind, for: Runtime.address(email), campaignID: campaign, source: source, detail: detail)
        let ended = outcome.ended.map(\.campaignID)
        if json {
            printJSON(EventReport(event: kind.rawValue, email: email, ended: ended, suppressed: outcome.suppressed))
            return
        }
        print("recorded \(kind.rawValue) for \(email)")
        if !ended.isEmpty { print("ended: \(ended.joined(separator: ", "))") }
        if outcome.suppressed { print("suppressed \(email) for every campaign") }
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
        let runtime = try Runtime(options: options)
        let ended = try runtime.actions.stop(Runtime.address(email), campaignID: campaign).map(\.campaignID)
        if json {
            printJSON(EventReport(event: "stop", email: email, ended: ended, suppressed: false))
        } else if ended.isEmpty {
            print("\(email) had no running sequence\(campaign.map { " in \($0)" } ?? "")")
        } else {
            print("ended: \(ended.joined(separator: ", "))")
        }
    }
}

private struct EventReport: Encodable {
    let event: String
    let email: String
    let ended: [String]
    let suppressed: Bool
}

extension EventKind: ExpressibleByArgument {}
