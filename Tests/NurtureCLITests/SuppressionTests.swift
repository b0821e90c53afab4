import Foundation
import NurtureTestSupport
import Testing

/// `nurture suppressions import|export` and `/v1/suppressions`: a list in, a list out, nobody emailed again.
struct SuppressionTests {
    let folder: TemporaryFolder
    var config: [String] { ["--config", folder.path + "/nurture.yml"] }

    init() throws {
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n\(Daemon.anyPort)",
            "list.csv": """
            email,reason,note
            sam@example.com,"complained, twice",x
            not-an-address,spam,x
            Ann@Example.com,,x

            """,
        ])
    }

    @Test func anImportedListEndsRunningSequencesAndExportsBack() throws {
        let enrolled = try NurtureProcess.run(["enroll", "web-lead-followup", "--email", "sam@example.com"] + config)
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")

        let imported = try NurtureProcess.run(["suppressions", "import", folder.path + "/list.csv"] + config)
        #expect(imported.status == 0, "\(imported.stderrText)")
        #expect(imported.stderrText.hasPrefix("\(folder.path)/list.csv:3: error: "), "\(imported.stderrText)")
        #expect(
            imported.stdoutText
                == "3 rows read: 2 addresses newly suppressed, 1 running sequences ended; 1 bad rows skipped\n")

        let exported = try NurtureProcess.run(["suppressions", "export"] + config)
        let lines = exported.stdoutText.split(separator: "\n")
        #expect(lines.first == "email,reason,since,source")
        #expect(
            lines.contains { $0.hasPrefix(#"sam@example.com,"complained, twice","#) && $0.hasSuffix(",cli import") })
        #expect(lines.contains { $0.lowercased().hasPrefix("ann@example.com,imported,") })

        let again = try NurtureProcess.run(["suppressions", "import", folder.path + "/list.csv", "--json"] + config)
        let report = try #require(try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
        #expect(report["added"] as? Int == 0, "an address already suppressed keeps its first reason")

        let refused = try NurtureProcess.run(["enroll", "web-lead-followup", "--email", "ann@example.com"] + config)
        #expect(refused.status == 1)
        #expect(refused.stderrText.contains("is suppressed (imported)"))
    }

    @Test func theAPITakesAndGivesTheSameCSV() throws {
        let daemon = try Daemon(config, in: folder, environment: [:])
        let api = try DaemonAPI(folder: folder)
        let csv = try String(contentsOfFile: folder.path + "/list.csv", encoding: .utf8)
        let answer = try api.call("POST", "/v1/suppressions", json: csv)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["added"] as? Int == 2)
        #expect((answer.json["bad"] as? [[String: Any]])?.first?["line"] as? Int == 3)
        let list = try api.call("GET", "/v1/suppressions")
        #expect(list.text.hasPrefix("email,reason,since,source\n"))
        #expect(list.text.contains(",api\n"))
        let noHeader = try api.call("POST", "/v1/suppressions", json: "address\nsam@example.com\n")
        #expect(noHeader.status == 422)
        #expect(daemon.terminate() == 0)
    }
}
