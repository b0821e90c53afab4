import ArgumentParser
import Foundation
import NurtureEngine

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print the full RFC 5322 message a prospect would get for one step.",
        discussion: """
            A task step prints the reminder its owner would get. Nothing is sent or recorded; the link secret \
            (secret_file) is created if it does not exist yet, so the unsubscribe link is the real one.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The campaign id.") var campaign: String
    @Argument(help: "The step id.") var step: String
    @Option(help: "The prospect's email address.") var email: String
    @OptionGroup var prospectOptions: ProspectOptions

    func run() throws {
        let workspace = try Workspace(options: options)
        let campaign = try workspace.campaign(self.campaign)
        let step = try workspace.step(self.step, of: campaign)
        let prospect = try prospectOptions.prospect(email: email)
        do {
            let composed = try workspace.composer().compose(step, of: campaign, for: prospect)
            FileHandle.standardOutput.write(Data(composed.message.bytes))
        } catch let error as ComposeError {
            throw CommandFailure(message: error.description)
        }
    }
}
