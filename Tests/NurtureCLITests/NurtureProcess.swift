import Foundation
import NurtureTestSupport

/// Runs the built `nurture` executable as a user would, capturing what it prints.
enum NurtureProcess {
    /// The package root, where `campaigns/` lives.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Beside the test bundle in the build folder.
    static var executable: URL {
        let bundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("nurture").path),
            folder.path != "/"
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("nurture")
    }

    /// Runs `nurture arguments...` in `directory` with `environment` added to a clean environment.
    static func run(
        _ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]
    ) throws -> ChildProcess.Result {
        // Nothing from the developer's shell, such as NURTURE_SMTP_URL, may leak into a test.
        var clean = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        clean.merge(environment) { _, given in given }
        return try ChildProcess.run(executable, arguments: arguments, in: directory, environment: clean)
    }
}
