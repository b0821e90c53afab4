import Testing

@testable import NurtureInbound

@Suite struct AutoReplyTests {
    @Test func anOutOfOfficeWithAutoSubmittedIsAnAutoReply() throws {
        let message = try Fixture.message("ooo-auto-submitted")
        #expect(message.autoReply == .autoSubmitted("auto-replied"))
        #expect(message.deliveryReport == nil)
    }

    @Test func anExchangeOutOfOfficeWithoutAutoSubmittedIsAnAutoReply() throws {
        let message = try Fixture.message("exchange-ooo")
        #expect(message.autoReply == .exchangeOutOfOffice("Automatic reply: Lars, here is the guide you asked for"))
        #expect(message.replyExcerpt() == "I'm on parental leave until March. Please contact anna@prospect.example.")
    }

    @Test(arguments: Fixture.names.filter { $0.hasSuffix("-reply") || $0 == "reply-with-attachment" })
    func peoplesRepliesAreNotAutoReplies(name: String) throws {
        #expect(try Fixture.message(name).autoReply == nil)
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-generated", AutoReplyKind.autoSubmitted("auto-generated")),
        ("Auto-Submitted: Auto-Notified; owner-email=x@y.example", .autoSubmitted("auto-notified")),
        ("X-Autoreply: yes", .autoresponderHeader("X-Autoreply")),
        ("X-Autorespond: Re: your message", .autoresponderHeader("X-Autorespond")),
        ("Precedence: bulk", .precedence("bulk")),
        ("Precedence: junk", .precedence("junk")),
        ("Precedence: auto_reply", .precedence("auto_reply")),
    ])
    func autoReplyHeadersAreRecognised(header: String, kind: AutoReplyKind) throws {
        let message = try Fixture.parse("From: a@x.example\nSubject: Re: hello\n\(header)\n\nhi")
        #expect(message.autoReply == kind)
    }

    @Test(arguments: [
        "Auto-Submitted: no", "Precedence: list", "X-Autoreply: no", "X-Auto-Response-Suppress: All",
        "List-Id: <sales.lists.prospect.example>",
    ])
    func headersThatDoNotMeanAnAutoReplyAreIgnored(header: String) throws {
        let message = try Fixture.parse("From: a@x.example\nSubject: Re: hello\n\(header)\n\nhi")
        #expect(message.autoReply == nil)
    }

    @Test(arguments: [
        "Out of Office: Re: your guide", "Automatic reply: hello", "Abwesenheitsnotiz: Ihr Leitfaden",
        "Réponse automatique : votre guide", "=?utf-8?q?R=C3=A9ponse_automatique_:_votre_guide?=",
        "AutoReply: hello", "Automatische Antwort: Ihr Leitfaden",
    ])
    func outOfOfficeSubjectsAreRecognisedWithoutAnyHeader(subject: String) throws {
        let message = try Fixture.parse("From: a@x.example\nSubject: \(subject)\n\nhi")
        #expect(message.autoReply.map { if case .outOfOfficeSubject = $0 { true } else { false } } == true)
    }

    @Test(arguments: [
        "Re: out of office next week?", "Re: Automatic reply settings", "Question about auto-reply rules",
    ])
    func aPersonMentioningOutOfOfficeIsNotAnAutoReply(subject: String) throws {
        let message = try Fixture.parse("From: a@x.example\nSubject: \(subject)\n\nhi")
        #expect(message.autoReply == nil)
    }
}
