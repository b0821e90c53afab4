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
        // Always from here, never through a running daemon: a hand test touches no enrollment and wakes no timer,
        // and NURTURE_SMTP_URL must be able to point it at another server.
        let report: SendReport
        do {
            report = try Operations.send(call, workspace: try Workspace(options: options))
        } catch let error as APIError {
            throw CommandFailure(error)
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
