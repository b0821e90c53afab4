import Foundation

/// Runs the built `nurture` executable as a user would, capturing what it prints.
struct NurtureProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let stdoutBytes: Data
    }

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
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting, so a full pipe never blocks the child.
        let errData = Data.readAll(err.fileHandleForReading, concurrentlyWith: out.fileHandleForReading)
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: errData.other, as: UTF8.self),
            stderr: String(decoding: errData.first, as: UTF8.self),
            stdoutBytes: errData.other)
    }
}

extension Data {
    /// Reads two handles to their ends at once.
    fileprivate static func readAll(_ first: FileHandle, concurrentlyWith other: FileHandle) -> (
        first: Data, other: Data
    ) {
        nonisolated(unsafe) var firstData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { firstData = first.readDataToEndOfFile() }
        let otherData = other.readDataToEndOfFile()
        group.wait()
        return (firstData, otherData)
    }
}
