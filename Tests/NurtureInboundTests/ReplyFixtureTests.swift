import Foundation
import Testing

@testable import NurtureInbound

@Suite struct ReplyFixtureTests {
    @Test func gmailReplyIsReadWithItsThreadIDsAndPlainText() throws {
        let message = try Fixture.message("gmail-reply")
        #expect(message.from == Fixture.mailbox("Dana Reyes", "dana@prospect.example"))
        #expect(message.to == [Fixture.mailbox("Sam Ortiz", "sam@acme.example")])
        #expect(
            message.cc == [
                Fixture.mailbox("Reyes, Maria", "maria@prospect.example"),
                Fixture.mailbox("Ops Team", "ops@prospect.example"),
            ])
        #expect(message.subject == "Re: Dana, here is the guide you asked for")
        #expect(message.messageID == "<CAJx8fB2=k9vQ3pLm7Yw+Nd5Rh1_TqEw0Zs4Uo6Ac2Gi8Fb@mail.gmail.com>")
        #expect(message.inReplyTo == ["<7d2kq4xw3m5ztf6b2a4hvcrz6y3mcpxq@acme.example>"])
        #expect(
            message.references == [
                "<kxtj4mbq7fzs2rwd5yv3hpc6nlua2e8g@acme.example>", "<7d2kq4xw3m5ztf6b2a4hvcrz6y3mcpxq@acme.example>",
            ])
        #expect(message.date == Date(timeIntervalSince1970: 1_795_446_120))
        #expect(message.root.contentType.mimeType == "multipart/alternative")
        #expect(message.root.parts.map(\.contentType.mimeType) == ["text/plain", "text/html"])
        let text = try #require(message.text)
        #expect(text.hasPrefix("Thanks Sam — this is really useful. Could you send me the pricing for 50 seats?\n"))
        #expect(text.contains("We’re deciding"))
        #expect(message.autoReply == nil)
        #expect(message.deliveryReport == nil)
        #expect(message.defects.isEmpty)
        #expect(
            message.replyExcerpt()
                == "Thanks Sam — this is really useful. Could you send me the pricing for 50 seats?\n"
                + "We’re deciding before the end of the month.\nDana")
    }

    @Test func outlookReplyInWindows1252LosesItsOriginalMessageBlock() throws {
        let message = try Fixture.message("outlook-reply")
        #expect(message.from == Fixture.mailbox("Jürgen Weiß", "juergen@prospect.example"))
        #expect(message.subject == "AW: Jürgen, here is the guide you asked for")
        #expect(message.headers["Thread-Topic"] == "Jürgen, here is the guide you asked for")
        #expect(message.inReplyTo == ["<pq3vbz6xk2mw7rjd4ty5hns8cfa9ue2g@acme.example>"])
        let text = try #require(message.text)
        #expect(text.contains("Thanks for the guide – we’ll review it with the café team on Thursday."))
        #expect(message.autoReply == nil)
        #expect(
            message.replyExcerpt()
                == "Hi Sam,\nThanks for the guide – we’ll review it with the café team on Thursday.\n"
                + "Can we set up a call next week?\nBest regards,\nJürgen")
    }

    @Test func appleMailReplyInBase64WithAnEncodedName() throws {
        let message = try Fixture.message("apple-mail-reply")
        #expect(message.from == Fixture.mailbox("José Martínez", "jose@prospect.example"))
        #expect(message.subject == "Re: José, here is the guide you asked for")
        #expect(message.messageID == "<5E3C1A9B-7D2F-4E8A-B6C0-91F4D2A8E7B3@prospect.example>")
        #expect(message.cc == [Fixture.mailbox(nil, "sales@acme.example")])
        #expect(message.date == Date(timeIntervalSince1970: 1_795_447_241))
        #expect(message.text?.hasPrefix("Hola Sam,\n\n¡Gracias! El análisis de costes") == true)
        #expect(
            message.replyExcerpt()
                == "Hola Sam,\n¡Gracias! El análisis de costes es justo lo que buscábamos 👍\n¿Podemos hablar el jueves?\nJosé"
        )
    }

    @Test func replyTextSkipsAttachmentsEvenWhenTheyComeFirst() throws {
        let message = try Fixture.message("reply-with-attachment")
        #expect(message.from == Fixture.mailbox("Okafor, Chidi", "chidi@prospect.example"))
        #expect(message.text == "Hi Sam, our requirements are in the attached PDF.\n\nChidi")
        let parts = message.root.parts
        #expect(parts.map(\.contentType.mimeType) == ["text/plain", "multipart/alternative", "application/pdf"])
        #expect(parts[0].isAttachment && parts[0].filename == "notes.txt")
        let pdf = parts[2]
        #expect(pdf.isAttachment)
        #expect(pdf.filename == "Anforderungen Müller – 2027.pdf")
        #expect(pdf.bytes.map { Array($0.prefix(8)) } == Array("%PDF-1.4".utf8))
        #expect(message.replyExcerpt() == "Hi Sam, our requirements are in the attached PDF.\nChidi")
    }

    @Test func aMissingFinalBoundaryStillYieldsEveryPart() throws {
        let message = try Fixture.message("missing-final-boundary")
        #expect(message.root.parts.map(\.contentType.mimeType) == ["text/plain", "text/html"])
        #expect(message.text == "Yes, let's talk on Friday.\n")
        #expect(message.root.parts[1].text == "<p>Yes, let's talk on Friday.</p>\n")
        #expect(message.defects == [.missingFinalBoundary])
    }

    @Test(arguments: Fixture.names.filter { $0 != "garbage" })
    func lineEndingsDoNotChangeWhatIsRead(name: String) throws {
        let lf = try Fixture.message(name)
        let crlf = try Fixture.message(name, crlf: true)
        #expect(lf.subject == crlf.subject)
        #expect(lf.from == crlf.from)
        #expect(lf.messageID == crlf.messageID)
        #expect(lf.text == crlf.text)
        #expect(lf.autoReply == crlf.autoReply)
        #expect(lf.deliveryReport == crlf.deliveryReport)
        #expect(lf.replyExcerpt() == crlf.replyExcerpt())
    }
}
