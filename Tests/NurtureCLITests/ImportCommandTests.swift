import Foundation
import NurtureTestSupport
import Testing

struct ImportCommandTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n"
        ])
    }

    func nurture(_ arguments: [String]) throws -> ChildProcess.Result {
        try NurtureProcess.run(arguments + ["--config", folder.path + "/nurture.yml"])
    }

    @Test func tenThousandRowsWithSomeBrokenOnesKeepTheGoodOnesAndNameTheBadLines() throws {
        var csv = "email,first_name,company,timezone,preferred_channel\n"
        var bad: [Int] = []
        for index in 0..<10_000 {
            let line = index + 2
            switch index {
            case 17:
                csv += "not-an-address,Ann,Acme,,\n"
                bad.append(line)
            case 4_242:
                csv += "p\(index)@example.com,Bo,Acme,Mars/Olympus,\n"
                bad.append(line)
            case 9_000:
                csv += "p\(index)@example.com,Cy,Acme\n"
                bad.append(line)
            case 9_001:
                csv += "p\(index)@example.com,Di,Acme,,fax\n"
                bad.append(line)
            default:
                csv +=
                    "p\(index)@example.com,Pat \(index),\"Acme, Inc.\",Europe/Berlin,\(index % 10 == 0 ? "phone" : "")\n"
            }
        }
        let file = try folder.write(csv, to: "prospects.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let errors = result.stderrText.split(separator: "\n").map(String.init)
        #expect(errors.count == 4)
        #expect(errors.map { $0.split(separator: ":")[1] } == bad.map { "\($0)"[...] })
        #expect(errors[0].contains("is not an email address"))
        #expect(errors[1].contains("unknown time zone `Mars/Olympus`"))
        #expect(errors[2].contains("expected 5 fields, found 3"))
        #expect(errors[3].contains("preferred_channel `fax`"))
        #expect(result.stdoutText.hasPrefix("9996 prospects read: 9996 enrolled in web-lead-followup"))

        let again = try nurture(["import", "web-lead-followup", file.path, "--json"])
        #expect(again.stdoutText.contains(#""alreadyActive" : 9996"#))
    }

    @Test func aFileWithoutAnEmailColumnIsRefused() throws {
        let file = try folder.write("name,company\nAnn,Acme\n", to: "nope.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 1)
        #expect(result.stderrText == "nurture: error: \(file.path):1: error: the header row has no `email` column\n")
    }

    @Test func aQuotedFieldWithALineBreakKeepsLineNumbersRight() throws {
        let csv = "email,notes\na@example.com,\"two\nlines\"\nbad,x\n"
        let file = try folder.write(csv, to: "multi.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.stderrText.hasPrefix("\(file.path):4: error: "))
    }
}
