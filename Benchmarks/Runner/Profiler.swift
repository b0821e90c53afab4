import Foundation

/// `perf record` attached to a daemon while it sends (`--perf-record FOLDER`): one `perf.data` file per run, for
/// `scripts/profile`. perf costs the daemon CPU of its own, so a profiled run's figures are not the table's.
struct Profiler {
    let perf: URL
    let folder: URL

    init(folder: String) throws {
        perf = URL(fileURLWithPath: "/usr/bin/perf")
        guard FileManager.default.isExecutableFile(atPath: perf.path) else {
            throw BenchError("\(perf.path) is missing; install linux-perf (scripts/install-deps does)")
        }
        self.folder = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
    }

    /// Starts sampling every thread of `pid`, with call stacks from frame pointers, into `FOLDER/NAME.perf.data`.
    func record(pid: Int32, name: String) throws -> Recording {
        try Recording(perf: perf, pid: pid, output: folder.appendingPathComponent("\(name).perf.data"))
    }

    final class Recording {
        private let process = Process()

        fileprivate init(perf: URL, pid: Int32, output: URL) throws {
            process.executableURL = perf
            process.arguments = [
                "record", "--quiet", "-F", "1999", "--call-graph", "fp", "-p", "\(pid)", "-o", output.path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.standardError
            try process.run()
            Progress.say("perf record on pid \(pid) into \(output.path)")
        }

        /// Stops sampling (SIGINT, as perf expects) and waits for the file to be written.
        func stop() {
            guard process.isRunning else { return }
            process.interrupt()
            process.waitUntilExit()
        }

        deinit { stop() }
    }
}
