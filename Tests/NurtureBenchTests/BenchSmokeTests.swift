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
}
