import Testing

@testable import NurtureMail

@Suite struct ExtraHeaderTests {
    @Test(arguments: ["", "X Campaign", "X-Campaign:", "X-Caf\u{E9}", String(repeating: "X", count: 77)])
    func malformedHeaderNameIsRefused(_ name: String) {
        var message = Fixture.message()
        message.extraHeaders = [MailHeader(name, "value")]
        #expect {
            try Fixture.builder().build(message)
        } throws: { error in
            (error as? MessageError)?.code == .invalidHeaderName
        }
    }

    @Test(arguments: ["Subject", "from", "BCC", "Content-Type", "List-Unsubscribe", "message-id"])
    func headerTheBuilderWritesItselfCannotBeAdded(_ name: String) {
        var message = Fixture.message()
        message.extraHeaders = [MailHeader(name, "value")]
        #expect {
            try Fixture.builder().build(message)
        } throws: { error in
            (error as? MessageError)?.code == .reservedHeaderName
        }
    }

    @Test func extraHeadersAreWrittenInOrderAfterTheStandardOnes() throws {
        var message = Fixture.message()
        message.extraHeaders = [MailHeader("X-Nurture-Campaign", "whitepaper"), MailHeader("X-Nurture-Step", "value")]
        let text = try Fixture.builder().build(message).text
        #expect(
            text.contains(
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                    + "X-Nurture-Campaign: whitepaper\r\nX-Nurture-Step: value\r\nContent-Type:"))
    }
}
