import Testing

@testable import NurtureInbound

@Suite struct ReplyExcerptTests {
    private func excerpt(_ text: String, maxLines: Int = 5, maxCharacters: Int = 500) -> String {
        ReplyExcerpt.excerpt(of: text, maxLines: maxLines, maxCharacters: maxCharacters)
    }

    @Test func quotedHistoryAfterAnAttributionIsCut() {
        #expect(
            excerpt("Sounds good.\n\nOn Mon, 23 Nov 2026 at 14:35, Sam <sam@acme.example> wrote:\n> Hi")
                == "Sounds good.")
        #expect(
            excerpt("Sounds good.\nOn Mon, Nov 23, 2026 at 9:35 AM Sam Ortiz <\nsam@acme.example> wrote:\n> Hi")
                == "Sounds good.")
        #expect(excerpt("Gern.\nAm 23.11.2026 um 15:35 schrieb Sam Ortiz <sam@acme.example>:\n> Hallo") == "Gern.")
        #expect(
            excerpt("Oui.\nLe lun. 23 nov. 2026 à 15:35, Sam Ortiz <sam@acme.example> a écrit :\n> Bonjour") == "Oui.")
    }

    @Test func aLineStartingWithOnIsKeptWhenItIsNotAnAttribution() {
        #expect(excerpt("On Monday I am free.\nThanks") == "On Monday I am free.\nThanks")
    }

    @Test func outlookSeparatorsAndHeaderBlocksAreCut() {
        #expect(excerpt("Yes.\n-----Original Message-----\nFrom: Sam") == "Yes.")
        #expect(
            excerpt("Ja.\n\nVon: Sam Ortiz <sam@acme.example>\nGesendet: Montag, 23. November 2026 15:35\nAn: Jürgen")
                == "Ja.")
        #expect(excerpt("Yes.\n________________________________\nFrom: Sam Ortiz\nSent: Monday") == "Yes.")
        #expect(excerpt("From: my side, all good.\nThanks") == "From: my side, all good.\nThanks")
    }

    @Test func signaturesAndMobileFootersAreCut() {
        #expect(excerpt("Call me.\n-- \nDana Reyes\nCTO") == "Call me.")
        #expect(excerpt("Call me.\n\nSent from my iPhone") == "Call me.")
    }

    @Test func inlineQuotesAreSkippedButTheAnswersBetweenThemKept() {
        #expect(excerpt("> Does Tuesday work?\nYes, 10am.\n> And the budget?\nApproved.") == "Yes, 10am.\nApproved.")
    }

    @Test func whiteSpaceIsCollapsedAndControlCharactersRemoved() {
        #expect(excerpt("  lots   of\tspace  \n\n\n\u{1B}[31mred\u{7} \u{202E}txet") == "lots of space\n[31mred txet")
    }

    @Test func linesAndCharactersAreCapped() {
        let text = (1...10).map { "line \($0)" }.joined(separator: "\n")
        #expect(excerpt(text, maxLines: 3) == "line 1\nline 2\nline 3")
        let long = String(repeating: "word ", count: 200)
        let capped = excerpt(long, maxCharacters: 40)
        #expect(capped.count <= 40)
        #expect(capped.hasSuffix("…"))
        #expect(excerpt("anything", maxLines: 0) == "")
    }

    @Test func aMessageWithoutTextHasAnEmptyExcerpt() throws {
        let message = try Fixture.parse("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=")
        #expect(message.text == nil)
        #expect(message.replyExcerpt() == "")
    }
}
