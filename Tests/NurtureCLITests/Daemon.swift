import Foundation
import NurtureTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `nurture run` in the background, as ops would start it; its log goes to a file the test can read.
final class Daemon {
    private let process = Process()
    let log: URL

    init(_ arguments: [String], in folder: TemporaryFolder, environment: [String: String]) throws {
        log = folder.url.appendingPathComponent("daemon-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = NurtureProcess.executable
        process.arguments = ["run"] + arguments
        process.currentDirectoryURL = folder.url
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }

    /// nurture.yml's `api:` for a test daemon: a free port on loopback, so daemons of parallel tests never clash.
    static let anyPort = "api: { listen: \"127.0.0.1:0\" }\n"

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (up to `timeout`) for a clean exit; returns the exit status.
    @discardableResult
    func terminate(within timeout: Duration = .seconds(20)) -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes: for output of another process, never for
/// a schedule.
func eventually(within timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
