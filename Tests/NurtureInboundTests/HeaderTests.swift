import Foundation
import Testing

@testable import NurtureInbound

@Suite struct HeaderTests {
    @Test func foldedFieldsAreUnfoldedAndNamesMatchInAnyCase() throws {
        let message = try Fixture.parse(
            "SUBJECT: a long\r\n  subject\r\n\tline\r\nX-Tag: one\r\nx-tag: two\r\n\r\nbody")
        #expect(message.subject == "a long subject line")
        #expect(
            message.headers.rawValue("subject")
                == "a long\r\n  subject\r\n\tline".replacingOccurrences(of: "\r\n", with: ""))
        #expect(message.headers.values("X-TAG") == ["one", "two"])
        #expect(message.headers.fields.map(\.name) == ["SUBJECT", "X-Tag", "x-tag"])
        #expect(message.text == "body")
    }

    @Test func encodedWordsAreDecodedInEveryCommonCharset() {
        #expect(EncodedWordDecoder.decode("=?utf-8?q?Jos=C3=A9?=") == "José")
        #expect(EncodedWordDecoder.decode("=?UTF-8?B?Sm9zw6k=?=") == "José")
        #expect(EncodedWordDecoder.decode("=?iso-8859-1?q?J=FCrgen?=") == "Jürgen")
        #expect(EncodedWordDecoder.decode("=?latin1?Q?caf=E9?=") == "café")
        #expect(EncodedWordDecoder.decode("=?windows-1252?q?=93hi=94_=80?=") == "“hi” €")
        #expect(EncodedWordDecoder.decode("=?us-ascii?q?plain_text?=") == "plain text")
        #expect(EncodedWordDecoder.decode("=?iso-8859-15?q?=A4?=") == "€")
        #expect(EncodedWordDecoder.decode("=?utf-8*en?q?hi?=") == "hi")
    }

    @Test func whiteSpaceBetweenEncodedWordsIsDroppedButNotAroundPlainText() {
        #expect(EncodedWordDecoder.decode("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab")
        #expect(EncodedWordDecoder.decode("=?utf-8?q?a?=\r\n =?utf-8?q?b?=") == "ab")
        #expect(EncodedWordDecoder.decode("Re: =?utf-8?q?caf=C3=A9?= now") == "Re: café now")
    }

    @Test func aCharacterSplitAcrossTwoWordsComesOutWhole() {
        // "é" is C3 A9; the sender cut the word between the two bytes.
        #expect(EncodedWordDecoder.decode("=?utf-8?B?Sm9zww==?= =?utf-8?B?qQ==?=") == "José")
    }

    @Test func unknownCharsetsAreDecodedLossilyRatherThanFailing() {
        #expect(EncodedWordDecoder.decode("=?x-unknown?q?caf=C3=A9?=") == "café")
        #expect(EncodedWordDecoder.decode("=?koi8-r?q?caf=E9?=") == "café")
    }

    @Test func brokenEncodedWordsAreLeftAsTheyAre() {
        for text in ["=?utf-8?q?unterminated", "=?utf-8?x?bad?=", "=??q?a?=", "=?utf-8?q?sp ace?=", "=?", "a =? b"] {
            #expect(EncodedWordDecoder.decode(text) == text)
        }
    }

    @Test func decodedValuesNeverHoldLineBreaksOrControlCharacters() throws {
        let message = try Fixture.parse("Subject: =?utf-8?q?a=0D=0ABcc:_x=00y=E2=80=AEz?=\n\n")
        #expect(message.subject == "a Bcc: x yz")
    }

    @Test func eightBitHeaderValuesAreReadAsUTF8OrElseWindows1252() throws {
        let utf8 = try InboundMessage.parse(Array("Subject: Grüße\n\n".utf8))
        #expect(utf8.subject == "Grüße")
        let latin = try InboundMessage.parse(Array("Subject: Gr".utf8) + [0xFC, 0xDF, 0x65] + Array("\n\n".utf8))
        #expect(latin.subject == "Grüße")
    }

    @Test func anObsoleteSpaceBeforeTheColonIsAccepted() throws {
        let message = try Fixture.parse("Subject : hello\nMessage-ID : <a@b.example>\n\nx")
        #expect(message.subject == "hello")
        #expect(message.messageID == "<a@b.example>")
    }

    @Test func anMboxFromLineInFrontIsSkipped() throws {
        let message = try Fixture.parse("From dana@prospect.example Mon Nov 23 14:35:18 2026\nSubject: hi\n\nbody")
        #expect(message.subject == "hi")
    }

    @Test func aLineThatIsNotAFieldEndsTheHeadersAndIsNoted() throws {
        let message = try Fixture.parse("Subject: hi\nthis is not a header\nmore body")
        #expect(message.subject == "hi")
        #expect(message.text == "this is not a header\nmore body")
        #expect(message.defects == [.malformedHeaderLine])
    }

    @Test func headerFieldsPastTheLimitAreDroppedAndNoted() throws {
        let fields = (0..<50).map { "X-Field-\($0): \($0)\n" }.joined()
        var limits = InboundParseLimits()
        limits.maximumHeaderFields = 10
        let message = try InboundMessage.parse(Array((fields + "\nbody").utf8), limits: limits)
        #expect(message.headers.fields.count == 10)
        #expect(message.defects == [.headerLimitReached])
        #expect(message.text == "body")
    }
}

@Suite struct AddressTests {
    @Test(
        arguments: [
            ("Dana Reyes <dana@prospect.example>", "Dana Reyes", "dana@prospect.example"),
            ("\"Reyes, Dana\" <dana@prospect.example>", "Reyes, Dana", "dana@prospect.example"),
            ("\"Dana \\\"DR\\\" Reyes\" <dana@prospect.example>", "Dana \"DR\" Reyes", "dana@prospect.example"),
            ("<dana@prospect.example>", nil, "dana@prospect.example"),
            ("dana@prospect.example", nil, "dana@prospect.example"),
            ("dana@prospect.example (Dana Reyes)", "Dana Reyes", "dana@prospect.example"),
            ("Dana (work) Reyes <dana@prospect.example (home)>", "Dana Reyes", "dana@prospect.example"),
            (
                "=?utf-8?q?Jos=C3=A9?= =?utf-8?q?_Mart=C3=ADnez?= <jose@prospect.example>", "José Martínez",
                "jose@prospect.example"
            ),
            ("\"dana.reyes\"@prospect.example", nil, "dana.reyes@prospect.example"),
            ("Dana <@relay.example:dana@Prospect.EXAMPLE>", "Dana", "dana@prospect.example"),
        ] as [(String, String?, String)])
    func mailboxFormsAreRead(raw: String, name: String?, address: String) {
        #expect(AddressListParser.mailboxes(raw) == [Fixture.mailbox(name, address)])
    }

    @Test func listsAndGroupsGiveEveryUsableMailbox() {
        let raw = "Team: a@x.example, \"B, Bee\" <b@x.example>;, c@x.example, undisclosed-recipients:;"
        #expect(
            AddressListParser.mailboxes(raw).map(\.address.description) == [
                "a@x.example", "b@x.example", "c@x.example",
            ])
    }

    @Test func addressesEmailAddressRefusesAreLeftOut() {
        let raw = "\"john doe\"@x.example, Bad <no-at-sign>, <ünï@x.example>, ok@x.example, <a@[192.0.2.1]>"
        #expect(AddressListParser.mailboxes(raw).map(\.address.description) == ["ok@x.example"])
    }

    @Test func replyToAndToGatherEveryField() throws {
        let message = try Fixture.parse(
            "From: a@x.example, b@x.example\nReply-To: r@x.example\nTo: t1@x.example\nTo: t2@x.example\n\n")
        #expect(message.from?.address.description == "a@x.example")
        #expect(message.replyTo.map(\.address.description) == ["r@x.example"])
        #expect(message.to.map(\.address.description) == ["t1@x.example", "t2@x.example"])
    }
}

@Suite struct MessageIDTests {
    @Test func idsAreReadWithBracketsWhateverTheSpacingAndComments() {
        #expect(MessageIDList.ids("<a@x.example>") == ["<a@x.example>"])
        #expect(MessageIDList.ids("  <a@x.example>\r\n\t<b@x.example> ") == ["<a@x.example>", "<b@x.example>"])
        #expect(MessageIDList.ids("<a@x.example>,<b@x.example>") == ["<a@x.example>", "<b@x.example>"])
        #expect(MessageIDList.ids("<a@x.example> (Dana's message of \"Mon, 23 Nov\")") == ["<a@x.example>"])
        #expect(MessageIDList.ids("<long-id-folded\r\n @x.example>") == ["<long-id-folded@x.example>"])
    }

    @Test func bareIdsWithoutBracketsAreAcceptedButProseIsNot() {
        #expect(MessageIDList.ids("a@x.example") == ["<a@x.example>"])
        #expect(MessageIDList.ids("your message of Monday") == [])
        #expect(MessageIDList.ids("") == [])
    }
}

@Suite struct DateTests {
    /// Monday 23 November 2026, 14:35:18 UTC.
    static let moment = Date(timeIntervalSince1970: 1_795_444_518)

    @Test(arguments: [
        "Mon, 23 Nov 2026 14:35:18 +0000",
        "23 Nov 2026 14:35:18 +0000",
        "Mon, 23 Nov 2026 15:35:18 +0100",
        "Mon, 23 Nov 2026 09:35:18 -0500 (EST)",
        "Mon, 23 Nov 2026 09:35:18 EST",
        "Mon, 23 Nov 2026 06:35:18 PST",
        "Mon, 23 Nov 2026 14:35:18 GMT",
        "Mon, 23 Nov 2026 14:35:18 UT",
        "Mon, 23 Nov 26 14:35:18 +0000",
        "monday, 23 november 2026 14:35:18 +0000",
        "Mon,23 Nov 2026 14:35:18 +0000",
    ])
    func rfc5322DatesAndTheirObsoleteFormsAreRead(text: String) {
        #expect(MailDate.parse(text) == Self.moment)
    }

    @Test func missingSecondsAndZoneAreTolerated() {
        #expect(MailDate.parse("23 Nov 2026 14:35") == Self.moment.addingTimeInterval(-18))
    }

    @Test(arguments: [
        "", "yesterday", "31 Feb 2026 10:00:00 +0000", "23 Nov 2026 25:00:00 +0000", "23 Foo 2026 10:00 +0000",
        "99999999999999999999 Nov 2026 10:00 +0000", "23 Nov 99999 10:00 +0000",
    ])
    func unreadableDatesAreNil(text: String) {
        #expect(MailDate.parse(text) == nil)
    }

    @Test func leapDaysAreValidOnlyInLeapYears() {
        #expect(MailDate.parse("29 Feb 2028 00:00:00 +0000") != nil)
        #expect(MailDate.parse("29 Feb 2027 00:00:00 +0000") == nil)
    }
}
