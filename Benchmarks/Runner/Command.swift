import Foundation

/// Runs a program to its end, its output in files beside `logFolder` (no pipe can fill up and block it).
enum Command {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// From just before the process was started to its exit.
        let seconds: Double
    }

    static func run(
        _ executable: URL, _ arguments: [String], in folder: URL, environment: [String: String]? = nil
    ) throws -> Result {
        let name = UUID().uuidString.prefix(8)
        let outFile = folder.appendingPathComponent("cmd-\(name).out")
        let errFile = folder.appendingPathComponent("cmd-\(name).err")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile)
        let err = try FileHandle(forWritingTo: errFile)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment ?? cleanEnvironment(home: folder)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let seconds = (ContinuousClock.now - started).seconds
        try? out.close()
        try? err.close()
        let stdout = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr, seconds: seconds)
    }

    /// Nothing from the caller's shell (NURTURE_SMTP_URL, NOTIFY_SOCKET) reaches the programs measured.
    static func cleanEnvironment(home: URL) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": home.path, "LANG": "C.UTF-8"]
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Sleeps the calling thread (the runner is synchronous: it only waits on the programs it measures).
func pause(_ seconds: Double) {
    guard seconds > 0 else { return }
    Thread.sleep(forTimeInterval: seconds)
}
