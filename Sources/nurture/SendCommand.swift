import ArgumentParser
import Foundation
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureSMTP

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one step now through the configured SMTP server and print the server's reply.",
        discussion: """
            Touches no enrollment: use it to see a step in a real inbox. A task step goes to --to as well. \
            Exits 0 when delivered, 1 when refused for good, 75 when the failure is temporary.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The campaign id.") var campaign: String
    @Argument(help: "The step id.") var step: String
    @Option(help: "Where to send it; also the prospect the templates see.") var to: String
    @OptionGroup var prospectOptions: ProspectOptions
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let call = SendCall(campaign: campaign, step: step, to: to, attributes: try prospectOptions.attributes())
        let report = try options.perform("POST", "/v1/sends", call) { operations throws(APIError) in
            try operations.send(call)
        }
        if json { try JSONOutput.print(report) }
        switch report.outcome {
        case "delivered":
            guard !json else { return }
            print("\(report.code.map(String.init) ?? "") \(report.reply)")
            print("delivered to \(report.to), Message-ID \(report.messageID)")
        case "permanent_failure":
            throw CommandFailure(message: "refused for good: \(report.reply)")
        default:
            throw CommandFailure(
                message: "not sent, try again later: \(report.reply)", exitCode: CommandFailure.temporaryFailure)
        }
    }
}
