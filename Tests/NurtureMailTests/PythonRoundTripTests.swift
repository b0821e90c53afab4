import Foundation
import NurtureCore
import NurtureTestSupport
import Testing

@testable import NurtureMail

/// Varied messages built, then read back by Python's strict `email` parser: every header and body must decode
/// to exactly what went in, with no defect and no line over 998 octets.
@Suite struct PythonRoundTripTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var message: MailMessage
    }

    static let cases: [Case] = {
        let base = Fixture.message()
        func variant(_ name: String, _ change: (inout MailMessage) -> Void) -> Case {
            var message = base
            change(&message)
            return Case(testDescription: name, message: message)
        }
        let longNonASCIISubject = String(
            repeating: "Olá, Dana — um café ☕ por nossa conta, com 10% de desconto! 👨‍👩‍👧‍👦 ", count: 5
        ).prefix(300)
        return [
            variant("plain ASCII") { _ in },
            variant("non-ASCII subject, names and bodies, with Reply-To") {
                $0.from = Fixture.mailbox("José Ñúñez", "jose@acme.example")
                $0.to = Fixture.mailbox("Zoë Ångström", "zoe@prospect.example")
                $0.replyTo = Fixture.mailbox("Ventas Iberia", "ventas@acme.example")
                $0.subject = "Olá, {{name}} — 10% off ☕"
                $0.textBody = "Olá Zoë,\n\nÇa va? Grüße, 東京から。\n"
                $0.htmlBody = "<p>Olá Zoë,</p>\n<p>Ça va? Grüße, 東京から。</p>\n"
            },
            variant("a 300-character non-ASCII subject") { $0.subject = String(longNonASCIISubject) },
            variant("a 5000-character single-line body") {
                $0.textBody = String(repeating: "abcdefghij", count: 500)
                $0.htmlBody = "<p>" + String(repeating: "ção ", count: 1250) + "</p>"
            },
            variant("lines starting with a dot or From") {
                $0.textBody = ".\n..\n.hidden\nFrom here on\nFrom\n.\n"
                $0.htmlBody = ".\r\n<p>From me</p>\r\n"
            },
            variant("lines with trailing spaces and tabs") {
                $0.textBody = "trailing space \ntrailing tab\t\n   \n\t\nmiddle  \t  spaces\n \n"
                $0.htmlBody = "<p>x</p> \t"
            },
            variant("equals signs everywhere") {
                $0.subject = "2 + 2 = 4, and =?utf-8?q?this_is_not_an_encoded_word?= either"
                $0.textBody = "a=b\n==\n=\n=_boundary-looking =_ text\n--=_\n=41=\n"
                $0.htmlBody = "<a href=\"https://acme.example/?a=1&b=2\">link</a>\n"
            },
            variant("emoji, flags and joined sequences") {
                $0.subject = "🎉 Launch day 🇵🇹 👩🏽‍💻 is here"
                $0.to = Fixture.mailbox("👩🏽‍💻 Dana", "dana@prospect.example")
                $0.textBody = String(repeating: "🎉👨‍👩‍👧‍👦🇵🇹", count: 40) + "\n"
                $0.htmlBody = "<p>🎉</p>"
            },
            variant("display names needing quotes") {
                $0.from = Fixture.mailbox("Reyes, Dana (Sales) \"DR\" \\ Team", "dana@acme.example")
                $0.to = Fixture.mailbox("Dr. Ana O'Brien", "ana@prospect.example")
                $0.replyTo = Fixture.mailbox("=?utf-8?q?not_encoded?=", "ventas@acme.example")
            },
            variant("long display names") {
                $0.from = Fixture.mailbox(String(repeating: "Acme Sales Team, ", count: 8), "sales@acme.example")
                $0.to = Fixture.mailbox(String(repeating: "Zoë Ångström ", count: 15), "zoe@prospect.example")
            },
            variant("a long ASCII subject, and one word too long to fold") {
                $0.subject = String(repeating: "follow up ", count: 30) + String(repeating: "x", count: 1200)
            },
            variant("control characters in the subject") { $0.subject = "tab\there, bell\u{7}, del\u{7F}" },
            variant("extra headers, one non-ASCII") {
                $0.extraHeaders = [
                    MailHeader("X-Nurture-Campaign", "whitepaper-followup"),
                    MailHeader("X-Nurture-Step", "valor — segunda mensagem"),
                ]
            },
            variant("empty bodies") {
                $0.textBody = ""
                $0.htmlBody = ""
            },
            variant("CRLF bodies and a lone CR") {
                $0.textBody = "one\r\ntwo\r\nthree\rfour\r\n"
                $0.htmlBody = "<p>one</p>\r\n"
            },
            variant("no display names and no List-Unsubscribe") {
                $0.from = Mailbox(address: Fixture.address("sam@acme.example"))
                $0.to = Mailbox(address: Fixture.address("dana@prospect.example"))
                $0.listUnsubscribe = nil
            },
        ]
    }()

    /// The body Python should decode: each line break as CRLF, nothing added or removed.
    static func expectedContent(_ body: String) -> String {
        body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Checks Python read `mailbox` back from the `field` header of `encoded`.
    ///
    /// Python's strict parser keeps the space between two encoded words of a display name, against RFC 2047 §6.2
    /// (it misreads its own output for long names the same way), so a name spanning several encoded words is
    /// checked through the RFC 2047 reading the script also reports.
    static func expectReadBack(
        _ parsed: ParsedMessage.Address?, _ mailbox: Mailbox?, field: String, in encoded: EncodedMessage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let mailbox else {
            #expect(parsed == nil, sourceLocation: sourceLocation)
            return
        }
        #expect(parsed?.address == mailbox.address.description, sourceLocation: sourceLocation)
        let name = mailbox.displayName ?? ""
        let encodedWords = encoded.header(field)?.components(separatedBy: "=?utf-8?").count ?? 1
        if encodedWords > 2 {
            #expect(parsed?.displayNameRfc2047 == name, sourceLocation: sourceLocation)
        } else {
            #expect(parsed?.displayName == name, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: cases)
    func pythonDecodesEveryHeaderAndBodyToTheOriginal(_ testCase: Case) throws {
        let message = testCase.message
        let encoded = try Fixture.builder().build(message)
        let parsed = try PythonEmailParser.parse(encoded)

        #expect(parsed.defects == [])
        Self.expectReadBack(parsed.from, message.from, field: "From", in: encoded)
        Self.expectReadBack(parsed.to, message.to, field: "To", in: encoded)
        Self.expectReadBack(parsed.replyTo, message.replyTo, field: "Reply-To", in: encoded)
        #expect(parsed.subject == message.subject)
        #expect(parsed.messageId == encoded.messageID)
        #expect(parsed.date == "Mon, 23 Nov 2026 14:35:18 +0000")
        #expect(parsed.dateIso == "2026-11-23T14:35:18+00:00")
        #expect(parsed.mimeVersion == "1.0")
        if let listUnsubscribe = message.listUnsubscribe {
            let mailto = "mailto:\(listUnsubscribe.mailto)?subject=unsubscribe"
            #expect(parsed.listUnsubscribe == "<\(listUnsubscribe.url)>, <\(mailto)>")
            #expect(parsed.listUnsubscribePost == "List-Unsubscribe=One-Click")
        } else {
            #expect(parsed.listUnsubscribe == nil)
            #expect(parsed.listUnsubscribePost == nil)
        }
        #expect(parsed.extraHeaders == message.extraHeaders.map { [$0.name, $0.value] })

        #expect(parsed.contentType == "multipart/alternative")
        #expect(parsed.parts.map(\.contentType) == ["text/plain", "text/html"])
        #expect(parsed.parts.map(\.charset) == ["utf-8", "utf-8"])
        #expect(parsed.parts.map(\.transferEncoding) == ["quoted-printable", "quoted-printable"])
        #expect(parsed.parts.first?.content == Self.expectedContent(message.textBody))
        #expect(parsed.parts.last?.content == Self.expectedContent(message.htmlBody))

        #expect(parsed.longestLine <= 998)
        #expect(parsed.bareLineFeeds == 0)
        #expect(parsed.bareCarriageReturns == 0)
        #expect(parsed.nonAsciiBytes == 0)
    }

    /// The check above is only worth something if the script notices a broken message.
    @Test func pythonHarnessCatchesAMissingCloseBoundaryAndABadEncodedWord() throws {
        func encoded(_ text: String) -> EncodedMessage {
            EncodedMessage(
                bytes: Array(text.utf8), messageID: "<x@acme.example>",
                envelopeFrom: Fixture.address("a@acme.example"), envelopeTo: Fixture.address("b@acme.example"))
        }
        let unclosed =
            "From: a@acme.example\r\nTo: b@acme.example\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/alternative; boundary=\"zz\"\r\n\r\n--zz\r\n\r\nhi\r\n"
        #expect(throws: PythonParserFailure.self) { try PythonEmailParser.parse(encoded(unclosed)) }

        let badWord =
            "Date: Mon, 23 Nov 2026 14:35:18 +0000\r\nFrom: =?utf-8?q?bad word?= <a@acme.example>\r\n"
            + "To: b@acme.example\r\nSubject: x\r\nMessage-ID: <x@acme.example>\r\nMIME-Version: 1.0\r\n\r\nhi\r\n"
        #expect(try PythonEmailParser.parse(encoded(badWord)).defects.isEmpty == false)
    }
}
