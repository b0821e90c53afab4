import ArgumentParser
import Foundation
import NurtureConfig
import NurtureCore
import NurtureEngine
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
        let workspace = try Workspace(options: options)
        let campaign = try workspace.campaign(self.campaign)
        let step = try workspace.step(self.step, of: campaign)
        let prospect = try prospectOptions.prospect(email: to)
        let composed: ComposedStep
        do {
            composed = try workspace.composer().compose(
                step, of: campaign, for: prospect, ownerInbox: Mailbox(address: prospect.email))
        } catch let error as ComposeError {
            throw CommandFailure(message: error.description)
        }
        let transport: CurlSMTPTransport
        do {
            transport = try CurlSMTPTransport(settings: workspace.configuration.smtpSettings())
        } catch let error as ConfigurationError {
            throw CommandFailure(message: error.diagnostics.first?.description ?? "\(error)")
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let result = transport.send(
            composed.message.bytes, from: composed.message.envelopeFrom, to: composed.message.envelopeTo)
        try report(result, messageID: composed.message.messageID, recipient: prospect.email)
    }

    private func report(_ result: DeliveryResult, messageID: String, recipient: EmailAddress) throws {
        switch result {
        case .delivered(let reply):
            if json {
                printJSON([
                    "outcome": "delivered", "code": "\(reply.code)", "reply": reply.text, "message_id": messageID,
                    "to": "\(recipient)",
                ])
            } else {
                print("\(reply.code) \(reply.text)")
                print("delivered to \(recipient), Message-ID \(messageID)")
            }
        case .permanentFailure(let failure):
            if json { printJSON(["outcome": "permanent_failure", "error": "\(failure)", "to": "\(recipient)"]) }
            throw CommandFailure(message: "refused for good: \(failure)")
        case .transientFailure(let failure):
            if json { printJSON(["outcome": "transient_failure", "error": "\(failure)", "to": "\(recipient)"]) }
            throw CommandFailure(
                message: "not sent, try again later: \(failure)", exitCode: CommandFailure.temporaryFailure)
        }
    }
}
