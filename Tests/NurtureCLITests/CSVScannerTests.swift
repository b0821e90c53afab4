import Foundation
import Testing

@testable import nurture

/// The CSV reader behind `import` and `suppressions import`.
struct CSVScannerTests {
    func records(_ text: String) -> ([[String]], [Int], String?) {
        var scanner = CSVScanner(stream: InputStream(data: Data(text.utf8)))
        var records: [[String]] = []
        var lines: [Int] = []
        while let record = scanner.next() {
            records.append(record)
            lines.append(scanner.recordLine)
        }
        return (records, lines, scanner.failure)
    }

    @Test func quotedFieldsHoldCommasLineBreaksAndQuotes() {
        let (records, lines, failure) = records(
            "\u{FEFF}email,note\r\na@b.c,\"one, two\"\r\nd@e.f,\"say \"\"hi\"\"\nand bye\"\n\ng@h.i,last")
        #expect(
            records == [
                ["email", "note"], ["a@b.c", "one, two"], ["d@e.f", "say \"hi\"\nand bye"], ["g@h.i", "last"],
            ])
        #expect(lines == [1, 2, 3, 6], "a record starts on its own line, past quoted breaks and blank lines")
        #expect(failure == nil)
    }

    @Test func anUnclosedQuoteIsAFailureNamingItsLine() {
        let (records, _, failure) = records("email\na@b.c\n\"x@y.z\nmore\n")
        #expect(records == [["email"], ["a@b.c"]])
        #expect(failure == "a quoted field opened on line 3 is never closed")
    }

    @Test func aFieldAcrossTheReadBlockBoundaryIsWhole() {
        let long = String(repeating: "x", count: CSVScanner.blockSize - 3)
        let (records, _, _) = records("a,b\n\(long),\"quoted\nacross\"\nc,d\n")
        #expect(records.count == 3)
        #expect(records[1] == [long, "quoted\nacross"])
        #expect(records[2] == ["c", "d"])
    }
}
