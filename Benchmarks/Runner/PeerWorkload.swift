import Foundation

/// The peer, APScheduler 3 with its SQLAlchemy job store on SQLite sending with smtplib (Benchmarks/peer), and
/// Nurture beside it in the same run on the same workloads: delayed sends spread over the timer's spread (time to
/// schedule them, memory while they wait, lateness), and sends all due at once over 4 connections (throughput).
struct PeerWorkload {
    let tools: Tools
    let sink: SMTPSink
    let sizes: Sizes
    let runs: Int

    private struct Pair {
        var scheduleSeconds: (Double, Double)
        var waitingMebibytes: (Double, Double)
        var lateness: (LatenessSummary, LatenessSummary)
        var throughput: (Double, Double)
    }

    func run(calibration: Calibration) throws -> [Figure] {
        let count = sizes.peerSends
        let spread = sizes.timerSpread
        var pairs: [Pair] = []
        for run in 1...runs {
            let timer = TimerWorkload(tools: tools, sink: sink, runs: 1, profiler: nil)
            let nurtureTimed = try timer.measure(
                count: count, spread: spread, calibration: calibration, name: "peer-timer-run\(run)")
            let nurtureRate = try ThroughputWorkload(tools: tools, sink: sink, sizes: sizes, runs: 1, profiler: nil)
                .measureEngine(count: count, connections: 4, name: "peer-throughput-run\(run)").messagesPerSecond
            let peerRate = try peer(["throughput", "--count", "\(count)", "--workers", "4"])
            guard let peerSpan = peerRate["first_to_last_seconds"] as? Double, let peerSent = peerRate["sent"] as? Int,
                let peerScheduling = peerRate["schedule_seconds"] as? Double
            else { throw BenchError("the peer's throughput run reported nothing: \(peerRate)") }
            // The peer's first send falls due well after its scheduling is done, as measured just now.
            let firstAt = Date().timeIntervalSince1970 + 10 + 1.5 * peerScheduling
            let peerTimed = try peer([
                "timer", "--count", "\(count)", "--first-at", "\(firstAt)", "--spread", "\(spread)", "--workers", "4",
                "--timeout", "\(TimerWorkload.grace(spread))",
            ])
            let peerLateness = LatenessSummary(
                latenessMilliseconds: peerTimed["lateness_ms"] as? [Double] ?? [],
                unsentLowerBounds: peerTimed["unsent_lateness_ms"] as? [Double] ?? [], expected: count)
            let pair = Pair(
                scheduleSeconds: (nurtureTimed.importSeconds, peerTimed["schedule_seconds"] as? Double ?? .nan),
                waitingMebibytes: (
                    Double(nurtureTimed.waitingMemory.residentBytes) / 1_048_576,
                    Double(peerTimed["rss_kb"] as? Int ?? 0) / 1024
                ),
                lateness: (nurtureTimed.lateness, peerLateness),
                throughput: (nurtureRate, Double(peerSent) / peerSpan))
            pairs.append(pair)
            Progress.say(
                "peer \(count), run \(run)/\(runs): schedule \(pair.scheduleSeconds), RSS \(pair.waitingMebibytes), "
                    + "p50 \(pair.lateness.0.p50 ?? .nan)/\(peerLateness.p50 ?? .nan) ms, sent "
                    + "\(pair.lateness.0.sent)/\(peerLateness.sent), rate \(pair.throughput) msg/s")
        }
        let label = count.formatted(.number.grouping(.automatic))
        let censored = pairs.contains { $0.lateness.0.lowerBounds || $0.lateness.1.lowerBounds }
        func figure(_ name: String, _ unit: String, _ values: (Pair) -> (Double, Double)) -> Figure {
            Figure(
                "peer", name, unit: unit, runs: pairs.map { values($0).0 }, reference: "APScheduler",
                referenceRuns: pairs.map { values($0).1 },
                note: censored && name.hasPrefix("lateness p50")
                    ? "sends not gone out \(Int(TimerWorkload.grace(spread))) s after the last fell due count as late by "
                        + "the time the run stopped: the percentiles they reach are lower bounds" : nil)
        }
        return [
            figure("time to schedule \(label) delayed sends", "s") { $0.scheduleSeconds },
            figure("RSS while \(label) sends wait", "MiB") { $0.waitingMebibytes },
            figure("lateness p50, \(label) over \(Int(spread)) s", "ms") {
                ($0.lateness.0.p50 ?? .nan, $0.lateness.1.p50 ?? .nan)
            },
            figure("lateness p99, \(label) over \(Int(spread)) s", "ms") {
                ($0.lateness.0.p99 ?? .nan, $0.lateness.1.p99 ?? .nan)
            },
            figure("lateness max, \(label) over \(Int(spread)) s", "ms") {
                ($0.lateness.0.max ?? .nan, $0.lateness.1.max ?? .nan)
            },
            figure("sent of \(label) timed", "") { (Double($0.lateness.0.sent), Double($0.lateness.1.sent)) },
            figure("send rate, 4 connections, \(label) at once", "msg/s") { $0.throughput },
        ]
    }

    /// Runs the peer script in a fresh folder against the sink; its JSON report.
    private func peer(_ arguments: [String]) throws -> [String: Any] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-bench-peer-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.json")
        let result = try Command.run(
            tools.python,
            [tools.peerScript.path] + arguments + [
                "--db", folder.appendingPathComponent("jobs.sqlite").path, "--smtp", "127.0.0.1:\(sink.port)",
                "--report", report.path,
            ], in: folder)
        guard result.status == 0, let data = try? Data(contentsOf: report),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw BenchError("the peer failed (\(result.status)): \(result.stderr.suffix(2000))") }
        return object
    }
}
