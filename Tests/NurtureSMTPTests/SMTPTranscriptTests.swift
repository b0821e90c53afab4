import Testing

@testable import NurtureSMTP

@Suite struct SMTPTranscriptTests {
    private func feed(_ lines: [(out: Bool, text: String)]) -> SMTPTranscript {
        var transcript = SMTPTranscript()
        for line in lines {
            let bytes = Array((line.text + "\r\n").utf8)
            if line.out { transcript.clientSent(bytes) } else { transcript.serverSent(bytes) }
        }
        return transcript
    }

    @Test func followsTheStageOfTheLastCommand() {
        let transcript = feed([
            (false, "220 mx ESMTP"), (true, "EHLO nurture.test"), (false, "250-mx"), (false, "250 SIZE 1000"),
            (true, "MAIL FROM:<a@b.example>"), (false, "250 OK"), (true, "RCPT TO:<c@d.example>"),
            (false, "550 5.1.1 No such user"),
        ])
        #expect(transcript.stage == .rcptTo)
        #expect(transcript.reply == SMTPReply(code: 550, text: "5.1.1 No such user"))
    }

    @Test func joinsTheLinesOfAMultiLineReply() {
        let transcript = feed([(true, "EHLO x"), (false, "554-5.7.1 go away"), (false, "554 5.7.1 really")])
        #expect(transcript.stage == .hello)
        #expect(transcript.reply == SMTPReply(code: 554, text: "5.7.1 go away 5.7.1 really"))
    }

    @Test func takesTheReplyAfterTheMessageBodyAsTheAnswerToData() {
        let transcript = feed([
            (true, "DATA"), (false, "354 End data with <CR><LF>.<CR><LF>"), (false, "250 2.0.0 Ok: queued as 7"),
        ])
        #expect(transcript.stage == .data)
        #expect(transcript.reply == SMTPReply(code: 250, text: "2.0.0 Ok: queued as 7"))
    }

    @Test func keepsTheFailingReplyWhenLibcurlSaysQuit() {
        let transcript = feed([
            (true, "RCPT TO:<c@d.example>"), (false, "451 4.3.0 Try later"), (true, "QUIT"), (false, "221 Bye"),
        ])
        #expect(transcript.stage == .rcptTo)
        #expect(transcript.reply?.code == 451)
    }

    @Test func neverKeepsWhatWeSendDuringAuth() {
        let transcript = feed([
            (true, "AUTH LOGIN"), (false, "334 VXNlcm5hbWU6"), (true, "bWFpbGVy"), (false, "334 UGFzc3dvcmQ6"),
            (true, "czNjcmV0LVBhNTV3b3JkIQ=="), (false, "535 5.7.8 Authentication credentials invalid"),
        ])
        #expect(transcript.stage == .auth)
        #expect(transcript.reply == SMTPReply(code: 535, text: "5.7.8 Authentication credentials invalid"))
        let everything = String(describing: transcript)
        #expect(!everything.contains("czNjcmV0"))
        #expect(!everything.contains("bWFpbGVy"))
    }

    @Test func ignoresLinesThatAreNotReplies() {
        let transcript = feed([(true, "MAIL FROM:<a@b.example>"), (false, ""), (false, "hello"), (false, "25")])
        #expect(transcript.reply == nil)
    }
}
