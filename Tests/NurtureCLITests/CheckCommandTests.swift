import Foundation
import NurtureTestSupport
import Testing

struct CheckCommandTests {
    @Test func theSampleCampaignsPass() throws {
        let result = try NurtureProcess.run(["check", "campaigns"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "3 campaigns, 15 steps: 0 errors, 0 warnings\n")
    }

    @Test func typosInAWaitAndAKeyAreReportedWithTheirPositionsAndExit1() throws {
        let folder = try TemporaryFolder(
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
            result.stdoutText == """
                \(path):6:11: error: `wait: 4 buisness days`: unknown unit `buisness days`; did you mean `business days`?
                \(path):7:5: error: unknown key `emial` in a step; did you mean `email`?
                0 campaigns, 0 steps: 2 errors, 0 warnings

                """)
        #expect(result.stderrText == "")
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
        let report = try JSONDecoder().decode(Report.self, from: result.stdout)
        #expect(report.campaigns.map(\.id) == ["monthly-nurture", "re-engagement", "web-lead-followup"])
        #expect(report.campaigns.last?.steps.first == "thanks")
        #expect(report.diagnostics.isEmpty)
    }

    @Test func aMissingFolderIsOneClearErrorLine() throws {
        let result = try NurtureProcess.run(["check", "/nonexistent/campaigns"])
        #expect(result.status == 1)
        #expect(result.stdoutText.hasPrefix("/nonexistent/campaigns:1:1: error: the campaigns folder does not exist"))
    }

    @Test func anInvalidConfigurationIsReportedWithItsPosition() throws {
        let folder = try TemporaryFolder(["nurture.yml": "smtp:\n  url: ftp://mail.acme.example\n"])
        let result = try NurtureProcess.run(["check", "--config", folder.path + "/nurture.yml"])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("nurture.yml:2:8: error: `smtp`:"))
        #expect(!result.stderrText.contains("Fatal error"))
    }
}
