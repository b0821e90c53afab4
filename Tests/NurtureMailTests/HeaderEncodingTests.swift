import Foundation
import NurtureCore
import Testing

@testable import NurtureMail

@Suite struct HeaderEncodingTests {
    static func folded(_ mailbox: Mailbox) -> String {
        HeaderEncoding.mailbox("To", mailbox).folded
    }

    @Test func plainNameIsWrittenBare() {
        #expect(Self.folded(Fixture.mailbox("Dana Reyes", "dana@x.example")) == "To: Dana Reyes <dana@x.example>\r\n")
    }

    @Test func missingNameLeavesTheBareAddress() {
        #expect(Self.folded(Fixture.mailbox(nil, "dana@x.example")) == "To: dana@x.example\r\n")
    }

    @Test(arguments: [
        ("Reyes, Dana", "\"Reyes, Dana\""),
        ("Dr. Ana O'Brien", "\"Dr. Ana O'Brien\""),
        ("Sales (EMEA)", "\"Sales (EMEA)\""),
        ("Dana  Reyes", "\"Dana  Reyes\""),
        ("Acme \"Sales\" \\ Team", "\"Acme \\\"Sales\\\" \\\\ Team\""),
        ("dana@home", "\"dana@home\""),
    ])
    func nameWithSpecialsIsQuotedWithEscapes(_ name: String, _ written: String) {
        #expect(Self.folded(Fixture.mailbox(name, "dana@x.example")) == "To: \(written) <dana@x.example>\r\n")
    }

    @Test func nonASCIINameIsEncoded() {
        #expect(
            Self.folded(Fixture.mailbox("José Ñúñez", "jose@x.example"))
                == "To: =?utf-8?b?Sm9zw6kgw5HDusOxZXo=?= <jose@x.example>\r\n")
    }

    @Test func nameThatLooksLikeAnEncodedWordIsEncodedSoItReadsLiterally() {
        let written = Self.folded(Fixture.mailbox("=?utf-8?q?Boss?=", "x@x.example"))
        #expect(written.hasPrefix("To: =?utf-8?"))
        #expect(!written.contains("Boss"))
    }

    @Test func longASCIISubjectFoldsAtWhiteSpaceWithin78() {
        let subject = String(repeating: "word ", count: 40) + "end"
        let folded = HeaderEncoding.unstructured("Subject", subject).folded
        let lines = folded.components(separatedBy: "\r\n").dropLast()
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") && !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(folded.replacingOccurrences(of: "\r\n ", with: " ") == "Subject: \(subject)\r\n")
    }

    @Test func foldingKeepsRunsOfWhiteSpace() {
        let subject = String(repeating: "a   ", count: 30) + "z"
        let folded = HeaderEncoding.unstructured("Subject", subject).folded
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == "Subject: \(subject)")
    }

    @Test func wordTooLongToFoldIsEncodedInstead() {
        let field = HeaderEncoding.unstructured("Subject", "see " + String(repeating: "x", count: 1200))
        #expect(field.folded.hasPrefix("Subject: =?utf-8?q?see_xxx"))
        #expect(field.longestLine <= 78)
    }

    @Test func asciiSubjectThatLooksEncodedOrHoldsControlsIsEncoded() {
        #expect(HeaderEncoding.needsEncoding("=?utf-8?q?x?="))
        #expect(HeaderEncoding.needsEncoding("Save 10% =?now"))
        #expect(HeaderEncoding.needsEncoding("tab\there"))
        #expect(!HeaderEncoding.needsEncoding("Price: $10 = a deal?"))
    }

    @Test func emptySubjectIsAnEmptyField() {
        #expect(HeaderEncoding.unstructured("Subject", "").folded == "Subject:\r\n")
    }
}
