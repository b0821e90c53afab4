import Foundation
import NurtureTestSupport
import Testing

/// The benchmark runner end to end at tiny sizes (the full run is by hand: `scripts/bench`). The peer is left
/// out: it needs APScheduler from PyPI.
@Suite struct BenchSmokeTests {
    static let smtpSink = "/usr/sbin/smtp-sink"

    /// `nurture-bench`, beside this test bundle in the build folder (with `nurture`, which it drives).
    static var runner: URL {
        let bundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("nurture-bench").path),
            folder.path != "/"
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("nurture-bench")
    }

    // postfix (for smtp-sink) comes with scripts/install-deps, which scripts/test runs first.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: smtpSink), "needs postfix's smtp-sink"))
    func smokeRunMeasuresEveryWorkloadAndWritesTheTable() throws {
        let folder = try TemporaryFolder()
        let output = folder.url.appendingPathComponent("latest.json")
        let result = try ChildProcess.run(
            Self.runner, arguments: ["--smoke", "--runs", "1", "--skip-peer", "--output", output.path],
            in: folder.url)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("| workload"))

        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let figures = try #require(report["figures"] as? [[String: Any]])
        let workloads = Set(figures.compactMap { $0["workload"] as? String })
        #expect(workloads == ["throughput", "scale", "timer"])
        for figure in figures where figure["workload"] as? String == "throughput" {
            // The daemon's CPU time comes in clock ticks (10 ms): forty sends may show none.
            let isCPU = (figure["name"] as? String)?.hasPrefix("CPU per message") == true
            #expect((figure["nurture"] as? Double ?? -1) >= (isCPU ? 0 : 1))
            #expect((figure["reference"] as? Double ?? 0) > 0)
        }
        #expect(figures.filter { ($0["name"] as? String)?.hasPrefix("CPU per message") == true }.count == 2)
        let sent = figures.first { ($0["name"] as? String)?.hasPrefix("sent of") == true }
        #expect(sent?["met"] as? Bool == true, "every timed send went out")
        let machine = report["machine"] as? [String: Any]
        #expect(machine?["processors"] as? Int ?? 0 > 0)
        // Shares of the CPU time: the whole run's, and the timer's sends' (their mean and their worst second).
        let stolen = figures.filter { ($0["name"] as? String)?.hasPrefix("CPU stolen by the host") == true }
        #expect(stolen.count == 2)
        for share in stolen.compactMap({ $0["nurture"] as? Double }) + [machine?["stolenPercent"] as? Double ?? -1] {
            #expect((0...100).contains(share))
        }
    }

    /// `perf record` is installed (`scripts/install-deps` installs linux-perf) and may sample here.
    static var perfWorks: Bool {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/perf"), let folder = try? TemporaryFolder()
        else { return false }
        let data = folder.url.appendingPathComponent("probe.perf.data").path
        let probe = try? ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/perf"), arguments: ["record", "--quiet", "-o", data, "--", "true"])
        return probe?.status == 0
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: smtpSink), "needs postfix's smtp-sink"),
        .enabled(if: perfWorks, "needs a perf that may sample (scripts/install-deps installs linux-perf)"))
    func aProfiledRunLeavesAPerfFileThatTheBreakdownReadsByStage() throws {
        let folder = try TemporaryFolder()
        let profiles = folder.url.appendingPathComponent("profile")
        // 2,000 steps: enough that the daemon is still sending once perf has attached.
        let result = try ChildProcess.run(
            Self.runner,
            arguments: [
                "--smoke", "--sends-at-once", "2000", "--runs", "1", "--only", "throughput", "--perf-record",
                profiles.path, "--output", folder.url.appendingPathComponent("latest.json").path,
            ], in: folder.url)
        #expect(result.status == 0, "\(result.stderrText)")
        let files = try FileManager.default.contentsOfDirectory(atPath: profiles.path).sorted()
        #expect(files == ["throughput-1conn-run1.perf.data", "throughput-4conn-run1.perf.data"])

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let breakdown = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: [
                root.appendingPathComponent("Benchmarks/profile/breakdown.py").path,
                profiles.appendingPathComponent("throughput-4conn-run1.perf.data").path,
            ])
        #expect(breakdown.status == 0, "\(breakdown.stderrText)")
        #expect(breakdown.stdoutText.contains("By library (where the CPU was):"))
        // Every message is composed, and a thousand samples cannot all miss it.
        #expect(breakdown.stdoutText.contains("%  composing: rendering the body"))
    }
}
