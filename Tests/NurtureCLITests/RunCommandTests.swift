import Foundation
import NurtureTestSupport
import Testing

struct RunCommandTests {
    @Test func aSecondDaemonOnTheSameStateIsRefused() throws {
        let folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n\(Daemon.anyPort)"
        ])
        let config = ["--config", folder.path + "/nurture.yml"]
        let daemon = try Daemon(config, in: folder, environment: [:])
        #expect(eventually(within: .seconds(10)) { daemon.output.contains("nurture running") }, "\(daemon.output)")
        let second = try NurtureProcess.run(["run"] + config)
        #expect(second.status == 1)
        #expect(second.stderrText.contains("another `nurture run` is already using"))
        #expect(daemon.terminate() == 0)
        #expect(daemon.output.contains("stopped; engine clock at "))
    }
}
