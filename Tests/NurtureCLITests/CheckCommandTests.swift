import Foundation
import Testing

struct CheckCommandTests {
    @Test func theSampleCampaignsPass() throws {
        let result = try NurtureProcess.run(["check", "campaigns"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3 campaigns, 15 steps: 0 errors, 0 warnings\n")
    }

    @Test func typosInAWaitAndAKeyAreReportedWithTheirPositionsAndExit1() throws {
        let folder = try TemporaryCampaigns(
            [
                "typos.yml": """
                id: typos
                from: "Dana <dana@acme.example>"
                owner: dana@acme.example
                steps:
                  - id: one
                    wait: 4 buisness days
                    emial: { subject: "Hi", body: body.md }

                """,
                "body.md": "Hello\n",
            ])
        let result = try NurtureProcess.run(["check", folder.path])
        #expect(result.status == 1)
        let path = folder.path + "/typos.yml"
        #expect(
            result.stdout == """
                \(path):5:9: error: step `one` needs an `email` or a `task`
                \(path):6:11: error: `wait: 4 buisness days`: unknown unit `buisness days`; did you mean `business days`?
                \(path):7:5: error: unknown key `emial` in a step; did you mean `email`?
                0 campaigns, 0 steps: 3 errors, 0 warnings

                """)
        #expect(result.stderr == "")
    }

    @Test func jsonOutputListsCampaignsAndDiagnostics() throws {
        let result = try NurtureProcess.run(["check", "--json", "campaigns"])
        #expect(result.status == 0)
        struct Report: Decodable {
            struct Campaign: Decodable {
                let id: String
                let steps: [String]
            }
            let campaigns: [Campaign]
            let diagnostics: [[String: String]]
        }
        let report = try JSONDecoder().decode(Report.self, from: result.stdoutBytes)
        #expect(report.campaigns.map(\.id) == ["monthly-nurture", "re-engagement", "web-lead-followup"])
        #expect(report.campaigns.last?.steps.first == "thanks")
        #expect(report.diagnostics.isEmpty)
    }

    @Test func aMissingFolderIsOneClearErrorLine() throws {
        let result = try NurtureProcess.run(["check", "/nonexistent/campaigns"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("/nonexistent/campaigns:1:1: error: the campaigns folder does not exist"))
    }

    @Test func anInvalidConfigurationIsReportedWithItsPosition() throws {
        let folder = try TemporaryCampaigns(["nurture.yml": "smtp:\n  url: ftp://mail.acme.example\n"])
        let result = try NurtureProcess.run(["check", "--config", folder.path + "/nurture.yml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nurture.yml:2:8: error: `smtp`:"))
        #expect(!result.stderr.contains("Fatal error"))
    }
}

/// A folder of files for one test, removed when the test ends.
final class TemporaryCampaigns {
    let url: URL
    var path: String { url.path }

    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-cli-\(UUID().uuidString)")
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
