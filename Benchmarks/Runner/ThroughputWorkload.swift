import Foundation

/// Steps all due now, rendered from a one-step campaign, recorded in SQLite and sent by the real daemon, against
/// the ceiling: the same message sent with raw libcurl over as many connections.
struct ThroughputWorkload {
    let tools: Tools
    let sink: SMTPSink
    let sizes: Sizes
    let runs: Int
    let profiler: Profiler?

    func run(calibration: inout Calibration) throws -> [Figure] {
        var figures: [Figure] = []
        let count = sizes.sendsAtOnce
        for connections in [1, 4] {
            var engine: [Double] = []
            var ceiling: [Double] = []
            var engineCPU: [Double] = []
            var ceilingCPU: [Double] = []
            var bytes = 0
            for run in 1...runs {
                let measured = try measureEngine(
                    count: count, connections: connections, name: "throughput-\(connections)conn-run\(run)")
                let raw = try Ceiling.send(measured.message, count: count, connections: connections, url: sink.url)
                guard raw.failed == 0 else { throw BenchError("the ceiling lost \(raw.failed) of \(count) messages") }
                engine.append(measured.messagesPerSecond)
                ceiling.append(raw.messagesPerSecond)
                engineCPU.append(measured.cpuSeconds / Double(count) * 1e6)
                ceilingCPU.append(raw.cpuSeconds / Double(raw.delivered) * 1e6)
                bytes = measured.message.count
                calibration.importRowsPerSecond = calibration.importRowsPerSecond ?? measured.importRowsPerSecond
                Progress.say(
                    "throughput \(connections) conn, run \(run)/\(runs): nurture \(Int(measured.messagesPerSecond)) "
                        + "msg/s, raw libcurl \(Int(raw.messagesPerSecond)) msg/s")
            }
            figures.append(
                Figure(
                    "throughput",
                    "send rate, \(connections) connection\(connections == 1 ? "" : "s"), "
                        + "\(count.formatted(.number.grouping(.automatic))) steps",
                    unit: "msg/s", runs: engine, reference: "raw libcurl", referenceRuns: ceiling,
                    target: "≥ 0.9 × ceiling", isMet: { $0 >= 0.9 },
                    note: connections == 1 ? "message size \(bytes) bytes (both)" : nil))
            // Why a ratio is what it is: on a machine of few cores, what the engine spends beside libcurl per
            // message is what keeps it from the ceiling once the cores are busy.
            figures.append(
                Figure(
                    "throughput", "CPU per message, \(connections) connection\(connections == 1 ? "" : "s")",
                    unit: "µs", runs: engineCPU, reference: "raw libcurl", referenceRuns: ceilingCPU,
                    note: connections == 1
                        ? "the daemon's CPU time (every thread, user and system) from READY=1 to the last outcome "
                            + "recorded, against the ceiling's sending threads; the sink's is in neither" : nil))
        }
        return figures
    }

    struct EngineRun {
        let messagesPerSecond: Double
        let importRowsPerSecond: Double
        /// The daemon's CPU time from ready until every step was recorded.
        let cpuSeconds: Double
        /// The step as the daemon renders it (`nurture preview`), CRLF line ends: what the ceiling sends.
        let message: [UInt8]
    }

    /// Imports `count` prospects into the one-step campaign (its step due at once), starts the daemon and times
    /// it from the first delivery's start to the last one's end, as recorded in the deliveries table.
    /// `name` names the run's perf.data file, if it is profiled.
    func measureEngine(count: Int, connections: Int, name: String) throws -> EngineRun {
        let workspace = try Workspace(campaign: .sendNow, smtpPort: sink.port, connections: connections)
        defer { workspace.remove() }
        let imported = try NurtureCLI(tools: tools, workspace: workspace).importProspects(count: count)
        let preview = try NurtureCLI(tools: tools, workspace: workspace).preview(email: ProspectFile.email(0))
        let daemon = try DaemonProcess(nurture: tools.nurture, workspace: workspace)
        defer { daemon.stop() }
        _ = try daemon.waitUntilReady()
        let recording = try profiler?.record(pid: daemon.pid, name: name)
        let cpuAtReady = try daemon.cpuSeconds()
        let database = try StateDatabase(path: workspace.database.path)
        let finished = try database.waitUntilAllSent(timeout: 120 + Double(count) / 20)
        let cpuSeconds = try daemon.cpuSeconds() - cpuAtReady
        recording?.stop()
        daemon.stop()
        let span = try database.deliveredSpan()
        guard finished, span.count == count else {
            throw BenchError(
                "the daemon delivered \(span.count) of \(count) steps: \(try database.outcomes()) "
                    + "(see \(workspace.folder.path)/daemon.log)")
        }
        return EngineRun(
            messagesPerSecond: Double(span.count) / span.seconds,
            importRowsPerSecond: Double(count) / imported.seconds, cpuSeconds: cpuSeconds, message: preview)
    }
}
