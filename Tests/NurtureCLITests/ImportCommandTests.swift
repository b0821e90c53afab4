import Foundation
import NurtureCore
import NurtureStore
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

    /// Batches of 700 over rows in no order, with a suppressed address, bad rows, prospects enrolled before and
    /// one named twice: every row lands as a single batch would have it, and with SQLite's foreign key checks off
    /// for the import, no enrollment or step points at nothing.
    @Test func manySmallBatchesInShuffledOrderStoreEveryRowWithEveryReferenceSound() throws {
        let count = 5_000
        let earlier = try folder.write(
            "email,first_name\np7@example.com,Early\np8@example.com,Early\n", to: "early.csv")
        #expect(try nurture(["import", "web-lead-followup", earlier.path]).status == 0)
        let suppressions = try folder.write("email\np9@example.com\n", to: "suppress.csv")
        #expect(try nurture(["suppressions", "import", suppressions.path]).status == 0)

        var csv = "email,first_name\n"
        for row in 0..<count {
            let index = row * 3_001 % count  // a permutation: 3,001 is prime and does not divide 5,000
            csv += "p\(index)@example.com,Pat \(index)\n"
            if row == 2_500 { csv += "P0@EXAMPLE.COM,Twice\nnot an address,Nobody\n" }
        }
        let file = try folder.write(csv, to: "shuffled.csv")
        let result = try nurture(["import", "web-lead-followup", file.path, "--json", "--batch-size", "700"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("shuffled.csv:2504: error:"), "\(result.stderrText)")
        let summary = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Int]
        #expect(summary?["rows"] == count + 1)
        #expect(summary?["enrolled"] == count - 3, "every new prospect but the suppressed one")
        #expect(summary?["alreadyActive"] == 3, "p7, p8, and p0 named a second time")
        #expect(summary?["suppressed"] == 1)
        #expect(summary?["badRows"] == 1)

        let store = try SQLiteStore(path: folder.path + "/var/nurture.sqlite")
        #expect(try store.danglingReferences() == [])
        let sample = try #require(try store.prospect(email: EmailAddress("p4321@example.com")))
        #expect(sample.attributes["first_name"] == "Pat 4321")
        #expect(try store.prospect(email: EmailAddress("p0@example.com"))?.attributes["first_name"] == "Twice")
        #expect(try store.enrollments(prospectID: sample.id).map(\.status) == [.active])
        #expect(try store.summary(now: SystemClock().now()).enrollmentsByStatus["active"] == count - 1)
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
        let errors = errors(result, file: file)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.first?.hasPrefix("FILE:2: error: `notes` holds a line break") == true)
        #expect(errors.last?.hasPrefix("FILE:4: error: ") == true)
    }

    /// What `nurture import` printed on stderr, one line each, with the file's path cut to `FILE`.
    func errors(_ result: ChildProcess.Result, file: URL) -> [String] {
        result.stderrText.split(separator: "\n").map { String($0).replacing(file.path, with: "FILE") }
    }

    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let file = folder.url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    @Test func everyKindOfBrokenRowIsReportedByItsLineAndTheGoodRowsAreKept() throws {
        let csv = [
            "email,first_name,timezone,preferred_channel",
            "ann@example.com,Ann,Europe/Berlin,email",
            "bo@example.com,Bo,Europe/Berlin,email,extra",
            "cy@example.com,Cy",
            "di@,Di,,",
            "ed@@example.com,Ed,,",
            "\"fay@example.com, gil@example.com\",Fay,,",
            "hal@example.com,\"Hal\r\nBcc: victim@example.net\",,",
            "ivy@example.com,Ivy,Mars/Olympus,",
            "jo@example.com,Jo,,fax",
            "kim@example.com,\"Kim, Jr.\",America/New_York,phone",
            "",
        ].joined(separator: "\n")
        let file = try folder.write(csv, to: "broken-rows.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(
            errors(result, file: file) == [
                "FILE:3: error: expected 4 fields, found 5",
                "FILE:4: error: expected 4 fields, found 2",
                "FILE:5: error: `di@` has an invalid domain; write it as name@example.com",
                "FILE:6: error: `ed@@example.com` is more than one address; give just one, like name@example.com",
                "FILE:7: error: `fay@example.com, gil@example.com` is more than one address; give just one, "
                    + "like name@example.com",
                "FILE:8: error: `first_name` holds a line break or NUL; prospect fields must be one line of text",
                "FILE:10: error: unknown time zone `Mars/Olympus`; use an IANA name like `Europe/Berlin`",
                "FILE:11: error: preferred_channel `fax` must be `email` or `phone`",
            ])
        #expect(
            result.stdoutText.hasPrefix("2 prospects read: 2 enrolled in web-lead-followup"), "\(result.stdoutText)")
        #expect(result.stdoutText.hasSuffix("8 bad rows skipped\n"))
    }

    @Test func aQuoteLeftOpenAtTheEndKeepsTheRowsBeforeItAndSaysWhereItOpened() throws {
        let file = try folder.write(
            "email,first_name\nann@example.com,Ann\nbo@example.com,\"Bo\ncy@example.com,Cy\n", to: "open.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(
            errors(result, file: file) == [
                "FILE:3: error: malformed CSV: a quoted field opened on line 3 is never closed; "
                    + "nothing from line 3 on was read"
            ])
        #expect(result.stdoutText.hasPrefix("1 prospects read: 1 enrolled"), "\(result.stdoutText)")
    }

    @Test func aByteOrderMarkAndCRLFLineEndsAreReadAsPlainCSV() throws {
        let file = try folder.write(
            "\u{FEFF}Email,First_Name\r\nann@example.com,Ann\r\nbo@example.com,\"Bo\"\r\n", to: "excel.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText == "")
        #expect(result.stdoutText.hasPrefix("2 prospects read: 2 enrolled"), "\(result.stdoutText)")
        let timeline = try nurture(["timeline", "bo@example.com", "--json"])
        #expect(timeline.stdoutText.contains(#""first_name" : "Bo""#), "\(timeline.stdoutText)")
    }

    @Test func latin1BytesAreReportedPerRowInsteadOfBecomingReplacementCharacters() throws {
        let file = try write(
            Array("email,first_name\njose@example.com,Jos".utf8) + [0xE9] + Array("\nkim@example.com,Kim\n".utf8),
            to: "latin1.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(
            errors(result, file: file) == [
                "FILE:2: error: not UTF-8 text: byte 0xE9 (`é` in Latin-1) in `Jos\u{FFFD}`; save the file as UTF-8"
            ])
        #expect(result.stdoutText.hasPrefix("1 prospects read: 1 enrolled"), "\(result.stdoutText)")

        let header = try write(Array("email,pr".utf8) + [0xE9] + Array("nom\nann@example.com,Ann\n".utf8), to: "h.csv")
        let refused = try nurture(["import", "web-lead-followup", header.path])
        #expect(refused.status == 1)
        #expect(
            errors(refused, file: header) == [
                "nurture: error: FILE:1: error: the header row is not UTF-8 text: byte 0xE9 (`é` in Latin-1) in "
                    + "`pr\u{FFFD}nom`; save the file as UTF-8"
            ])
    }

    @Test func anEmptyFileAndAHeaderWithoutRowsAreOneClearError() throws {
        let empty = try folder.write("", to: "empty.csv")
        let result = try nurture(["import", "web-lead-followup", empty.path])
        #expect(result.status == 1)
        #expect(errors(result, file: empty) == ["nurture: error: FILE: not a CSV file: it is empty"])

        let headerOnly = try folder.write("email,first_name\n", to: "header.csv")
        let nothing = try nurture(["import", "web-lead-followup", headerOnly.path])
        #expect(nothing.status == 1)
        #expect(
            errors(nothing, file: headerOnly) == [
                "nurture: error: FILE: no rows after the header row; nothing to import"
            ])
    }

    @Test func aHeaderRowThatIsReallyADataRowIsRefused() throws {
        let file = try folder.write("ann@example.com,Ann\nbo@example.com,Bo\n", to: "noheader.csv")
        let result = try nurture(["import", "web-lead-followup", file.path])
        #expect(result.status == 1)
        #expect(errors(result, file: file) == ["nurture: error: FILE:1: error: the header row has no `email` column"])
    }
}
