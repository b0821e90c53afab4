import Foundation

/// Sends falling due evenly over a spread of seconds (each prospect's own `send_at`, to the millisecond), sink
/// fast enough not to hold them back: lateness is the delivery's recorded start minus the instant it was due.
struct TimerWorkload {
    let tools: Tools
    let sink: SMTPSink
    let runs: Int

    func run(count: Int, spread: Double, calibration: Calibration) throws -> [Figure] {
        var measured: [TimedRun] = []
        for run in 1...runs {
            let timed = try measure(count: count, spread: spread, calibration: calibration)
            measured.append(timed)
            Progress.say(
                "timer \(count) over \(Int(spread)) s, run \(run)/\(runs): \(timed.lateness.sent) sent, lateness p50 "
                    + "\(Report.format(timed.lateness.p50, unit: "ms")), p99 \(Report.format(timed.lateness.p99, unit: "ms")), "
                    + "max \(Report.format(timed.lateness.max, unit: "ms"))")
        }
        let label = "\(count.formatted(.number.grouping(.automatic))) over \(Int(spread)) s"
        let notes = measured.compactMap(\.note)
        return [
            Figure(
                "timer", "lateness p50, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.p50),
                target: "≤ 2 ms", isMet: { $0 <= 2 }, note: notes.isEmpty ? nil : notes.joined(separator: "; ")),
            Figure(
                "timer", "lateness p99, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.p99),
                target: "≤ 10 ms", isMet: { $0 <= 10 }),
            Figure("timer", "lateness max, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.max)),
            Figure(
                "timer", "sent of \(count)", unit: "", runs: measured.map { Double($0.lateness.sent) },
                target: "all", isMet: { Int($0) == count }),
        ]
    }

    struct TimedRun {
        let lateness: LatenessSummary
        let importSeconds: Double
        /// The daemon's memory half a second before the first send falls due.
        let waitingMemory: ProcessMemory
        let note: String?
    }

    /// One run: import `count` prospects whose `send_at` instants start a few seconds after the import and daemon
    /// start should be done (from the measured import rate), start the daemon, wait for every send.
    func measure(count: Int, spread: Double, calibration: Calibration) throws -> TimedRun {
        let workspace = try Workspace(campaign: .timed, smtpPort: sink.port, connections: 4)
        defer { workspace.remove() }
        let rate = calibration.importRowsPerSecond ?? 5_000
        let lead = 5 + 3 * Double(count) / rate
        let firstDue = Int64((Date().timeIntervalSince1970 + lead) * 1000)
        let stepMilliseconds = spread * 1000 / Double(count)
        let dueMilliseconds = (0..<count).map { firstDue + Int64((Double($0) * stepMilliseconds).rounded(.down)) }
        let imported = try NurtureCLI(tools: tools, workspace: workspace).importProspects(count: count) {
            ProspectFile.iso8601(milliseconds: dueMilliseconds[$0])
        }
        let daemon = try DaemonProcess(nurture: tools.nurture, workspace: workspace)
        defer { daemon.stop() }
        _ = try daemon.waitUntilReady()
        let firstDueDate = Date(timeIntervalSince1970: Double(firstDue) / 1000)
        let margin = firstDueDate.timeIntervalSinceNow
        let note =
            margin < 0.5
            ? "the daemon was ready only \(String(format: "%.2f", margin)) s before the first send fell due" : nil
        pause(margin - 0.5)
        let memory = try daemon.memory()
        let database = try StateDatabase(path: workspace.database.path)
        _ = try database.waitUntilAllSent(timeout: spread + 120 + Double(count) / 100)
        daemon.stop()
        let lateness = try database.deliveryStarts().compactMap { delivery -> Double? in
            guard let index = ProspectFile.index(of: delivery.recipient), dueMilliseconds.indices.contains(index)
            else { return nil }
            return delivery.startedAt * 1000 - Double(dueMilliseconds[index])
        }
        return TimedRun(
            lateness: LatenessSummary(latenessMilliseconds: lateness, expected: count),
            importSeconds: imported.seconds, waitingMemory: memory, note: note)
    }
}
