import Foundation
import NurtureCore
import NurtureMail
import Testing

@testable import NurtureInbound

/// What Nurture sends must read back as sent: the same check the daemon relies on when a bounce returns it.
@Suite struct RoundTripTests {
    struct CountingRandom: RandomBytesSource {
        func randomBytes(count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }
    }

    @Test(arguments: [
        ("Dana, here is the guide you asked for", "Sam Ortiz", "Hi Dana,\n\nThe guide is attached.\n"),
        (
            "Olá José ☕ — your café guide", "Sámuel Ørtiz",
            "Olá José,\n\nline with trailing space \nFrom here on.\n.dot\n"
        ),
        (String(repeating: "long subject ", count: 12), "Ortiz, Sam", String(repeating: "a", count: 300) + "\n"),
    ])
    func builtMessagesParseBackToTheSameFields(subject: String, fromName: String, textBody: String) throws {
        let from = Fixture.mailbox(fromName, "sam@acme.example")
        let message = MailMessage(
            from: from, to: Fixture.mailbox("Dana Reyes", "dana@prospect.example"), subject: subject,
            textBody: textBody, htmlBody: "<p>\(textBody)</p>\n",
            listUnsubscribe: ListUnsubscribe(
                url: "https://go.acme.example/u/dGVzdA", mailto: Fixture.address("unsubscribe@acme.example")))
        let built = try MessageBuilder(clock: ManualClock(DateTests.moment), random: CountingRandom()).build(message)
        let parsed = try InboundMessage.parse(built.bytes)
        #expect(parsed.messageID == built.messageID)
        #expect(parsed.subject == subject.trimmingCharacters(in: .whitespaces))
        #expect(parsed.from == from)
        #expect(parsed.text == textBody)
        #expect(parsed.date == DateTests.moment)
        #expect(parsed.autoReply == nil)
        #expect(parsed.defects.isEmpty)
    }
}
