import ArgumentParser
import Foundation

@main
struct Nurture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nurture",
        abstract: "A drip and nurture campaign engine: campaigns as files, email over SMTP.",
        discussion: """
            Campaigns are YAML files in the campaigns folder (see `campaigns:` in nurture.yml). \
            Configuration is read from --config, else ./nurture.yml, else /etc/nurture/nurture.yml, \
            else built-in defaults for a local demo.
            """,
        subcommands: [
            CheckCommand.self, PreviewCommand.self, SendCommand.self, EnrollCommand.self, ImportCommand.self,
            EventCommand.self, StopCommand.self, RunCommand.self, StatusCommand.self, TimelineCommand.self,
            PlanCommand.self, ForecastCommand.self, SuppressionsCommand.self,
        ]
    )

    /// Our own failures print as one `nurture: error: ...` line; ArgumentParser handles usage errors and help.
    static func main() async {
        // A parent may start us with signals blocked (Swift's test runner does); the daemon's handlers need them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("nurture: error: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// A command that could not do its job: one line for stderr and an exit status.
struct CommandFailure: Error {
    let message: String
    var exitCode: Int32 = 1

    /// sysexits.h EX_TEMPFAIL: try again later.
    static let temporaryFailure: Int32 = 75
}
