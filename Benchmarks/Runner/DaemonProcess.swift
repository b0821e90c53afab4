import Foundation

/// `nurture run` on a workspace, with a notify socket standing in for systemd.
final class DaemonProcess {
    private let process = Process()
    private let notify: NotifySocket
    private let launched: ContinuousClock.Instant
    private let log: FileHandle

    init(nurture: URL, workspace: Workspace) throws {
        notify = try NotifySocket()
        let logFile = workspace.folder.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        log = try FileHandle(forWritingTo: logFile)
        process.executableURL = nurture
        process.arguments = ["run", "--config", workspace.configuration.path]
        process.currentDirectoryURL = workspace.folder
        var environment = Command.cleanEnvironment(home: workspace.folder)
        environment["NOTIFY_SOCKET"] = notify.path
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        launched = ContinuousClock.now
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Seconds from starting the process to `READY=1` on the notify socket.
    func waitUntilReady(timeout: Double = 120) throws -> Double {
        guard let ready = notify.waitFor("READY=1", timeout: timeout) else {
            throw BenchError("nurture run sent no READY=1 within \(Int(timeout)) s (see its daemon.log)")
        }
        return (ready - launched).seconds
    }

    /// VmRSS and VmHWM (peak) from /proc, in bytes.
    func memory() throws -> ProcessMemory {
        try ProcessMemory(pid: pid)
    }

    /// CPU time the daemon has used so far, every thread, user and system, in seconds.
    func cpuSeconds() throws -> Double {
        // `pid (comm) state ppid ...`: utime and stime are the 12th and 13th fields after the closing parenthesis.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { throw BenchError("cannot read /proc/\(pid)/stat: the process is gone") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("cannot read the CPU times in /proc/\(pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM, then waits for the exit (SIGKILL after `timeout`).
    func stop(timeout: Double = 60) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning && ContinuousClock.now < deadline { pause(0.05) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        try? log.close()
    }

    deinit { stop() }
}

/// A process's resident memory now and at its peak.
struct ProcessMemory: Codable {
    let residentBytes: Int
    let peakResidentBytes: Int

    init(pid: Int32) throws {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            throw BenchError("cannot read /proc/\(pid)/status: the process is gone")
        }
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "VmRSS" || parts[0] == "VmHWM" else { continue }
            // `VmRSS:\t  123456 kB`
            fields[String(parts[0])] = parts[1].split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
                .map { $0 * 1024 }
        }
        residentBytes = fields["VmRSS"] ?? 0
        peakResidentBytes = fields["VmHWM"] ?? 0
    }
}
