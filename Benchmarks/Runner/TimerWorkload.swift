import Foundation

/// Sends falling due evenly over a spread of seconds (each prospect's own `send_at`, to the millisecond), sink
/// fast enough not to hold them back: lateness is the delivery's recorded start minus the instant it was due.
struct TimerWorkload {
    let tools: Tools
    let sink: SMTPSink
    let runs: Int
    let profiler: Profiler?

    func run(count: Int, spread: Double, calibration: Calibration) throws -> [Figure] {
        var measured: [TimedRun] = []
        for run in 1...runs {
            let timed = try measure(count: count, spread: spread, calibration: calibration, name: "timer-run\(run)")
            measured.append(timed)
            Progress.say(
                "timer \(count) over \(Int(spread)) s, run \(run)/\(runs): \(timed.lateness.sent) sent, lateness p50 "
                    + "\(Report.format(timed.lateness.p50, unit: "ms")), "
                    + "p99 \(Report.format(timed.lateness.p99, unit: "ms")), "
                    + "max \(Report.format(timed.lateness.max, unit: "ms"))"
                    + (timed.steal.map {
                        String(
                            format: "; CPU stolen by the host %.1f %% (worst second %.0f %%)", $0.meanPercent,
                            $0.worstSecondPercent)
                    } ?? ""))
        }
        let label = "\(count.formatted(.number.grouping(.automatic))) over \(Int(spread)) s"
        var notes = measured.compactMap(\.note)
        if measured.contains(where: \.lateness.lowerBounds) {
            notes.append(
                "not every send had gone out \(Int(Self.grace(spread))) s after the last fell due; those count as late "
                    + "by the time the run stopped, so the percentiles they reach are lower bounds")
        }
        return [
            Figure(
                "timer", "lateness p50, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.p50),
                target: "≤ 2 ms", isMet: { $0 <= 2 }, note: notes.isEmpty ? nil : notes.joined(separator: "; ")),
            Figure(
                "timer", "lateness p99, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.p99),
                target: "≤ 10 ms", isMet: { $0 <= 10 }),
            Figure("timer", "lateness max, \(label)", unit: "ms", runs: measured.compactMap(\.lateness.max)),
            Figure(
                "timer", "sent of \(count.formatted(.number.grouping(.automatic)))", unit: "",
                runs: measured.map { Double($0.lateness.sent) },
                target: "all", isMet: { Int($0) == count }),
            // The daemon needs about one of two cores for the full run: what the host takes decides whether it
            // keeps up, so each run's lateness is read beside these.
            Figure(
                "timer", "CPU stolen by the host during the sends", unit: "%",
                runs: measured.compactMap(\.steal?.meanPercent)),
            Figure(
                "timer", "CPU stolen by the host, worst second", unit: "%",
                runs: measured.compactMap(\.steal?.worstSecondPercent)),
        ]
    }

    /// How long after the last send falls due a run waits for the rest.
    static func grace(_ spread: Double) -> Double { max(10, spread) }

    struct TimedRun {
        let lateness: LatenessSummary
        let importSeconds: Double
        /// The daemon's memory half a second before the first send falls due.
        let waitingMemory: ProcessMemory
        let note: String?
        /// From half a second before the first send fell due until the last went out (or the run gave up).
        let steal: StealMeter.Reading?
    }

    /// One run: import `count` prospects whose `send_at` instants start a few seconds after the import and daemon
    /// start should be done (from the measured import rate), start the daemon, wait for every send.
    /// `name` names the run's perf.data file, if it is profiled.
    func measure(count: Int, spread: Double, calibration: Calibration, name: String) throws -> TimedRun {
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
        let recording = try profiler?.record(pid: daemon.pid, name: name)
        let steal = StealMeter()
        defer { steal.stop() }
        let database = try StateDatabase(path: workspace.database.path)
        // A daemon that cannot keep up is stopped a while after the last send fell due, not waited for: what
        // had not gone out by then counts as late by at least that much.
        _ = try database.waitUntilAllSent(
            timeout: firstDueDate.timeIntervalSinceNow + spread + TimerWorkload.grace(spread))
        let stoppedAt = Date().timeIntervalSince1970 * 1000
        let stolen = steal.stop()
        recording?.stop()
        daemon.stop()
        var sent = Set<Int>()
        var lateness: [Double] = []
        for delivery in try database.deliveryStarts() {
            guard let index = ProspectFile.index(of: delivery.recipient), dueMilliseconds.indices.contains(index)
            else { continue }
            sent.insert(index)
            lateness.append(delivery.startedAt * 1000 - Double(dueMilliseconds[index]))
        }
        let unsent = dueMilliseconds.indices.filter { !sent.contains($0) }.map {
            stoppedAt - Double(dueMilliseconds[$0])
        }
        return TimedRun(
            lateness: LatenessSummary(latenessMilliseconds: lateness, unsentLowerBounds: unsent, expected: count),
            importSeconds: imported.seconds, waitingMemory: memory, note: note, steal: stolen)
    }
}
