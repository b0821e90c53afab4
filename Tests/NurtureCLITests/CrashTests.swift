import Foundation
import NurtureTestSupport
import Testing

/// The small run of `scripts/crash-test`: the daemon just built, under load, SIGKILLed three times and restarted
/// against a real SMTP server on loopback. The script itself compares what the server received with the state;
/// this test also reads its figures, so a script that checked nothing could not pass. The long run is by hand
/// (`scripts/crash-test`, 30 kills; see README, Reliability).
struct CrashTests {
    static let script = NurtureProcess.packageRoot.appendingPathComponent("scripts/crash-test")

    @Test func killedThreeTimesUnderLoadItLosesNothingAndSendsNothingTwice() throws {
        let folder = try TemporaryFolder()
        let figures = folder.url.appendingPathComponent("figures.json")
        let prospects = 80
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: [
                Self.script.path, "--prospects", "\(prospects)", "--kills", "3", "--spread", "3",
                "--nurture", NurtureProcess.executable.path, "--json", figures.path,
            ],
            environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path])
        #expect(result.status == 0, "\(result.stdoutText)\n\(result.stderrText)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: figures)) as? [String: Any] ?? [:]
        let delivered = report["delivered"] as? Int ?? -1
        let uncertain = report["uncertain"] as? Int ?? -1
        #expect(report["expected"] as? Int == prospects * 3)
        #expect(delivered + uncertain == prospects * 3, "each step delivered once or reported uncertain: \(report)")
        #expect(delivered > 0, "the daemon sent between the kills and after them: \(report)")
        #expect(report["lost"] as? Int == 0)
        #expect(report["duplicates"] as? Int == 0)
        #expect(report["kills"] as? Int == 3)
        #expect((report["problems"] as? [Any])?.isEmpty == true, "\(report)")
    }
}
