import Foundation
import Testing

@testable import NurtureInbound

@Suite struct MIMETests {
    @Test func partsArePreambleAndEpilogueFreeAndKeepTheirOwnLineBreaks() throws {
        let message = try Fixture.parse(
            """
            Content-Type: multipart/mixed; boundary=XX

            preamble
            --XX
            Content-Type: text/plain

            one
            two
            --XX\t

            no headers here
            --XX--
            epilogue
            """)
        #expect(message.root.parts.map(\.text) == ["one\ntwo", "no headers here"])
        #expect(message.root.parts[1].contentType == .plainText)
        #expect(message.defects.isEmpty)
    }

    @Test func aBoundaryThatIsAPrefixOfAnotherLineIsNotADelimiter() throws {
        let message = try Fixture.parse("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bb is text\n--b--\n")
        #expect(message.root.parts.map(\.text) == ["--bb is text"])
    }

    @Test func base64ToleratesWrappingSpacesAndMissingPadding() {
        #expect(TransferDecoding.base64(Array("SGVs\r\n bG8g\td29y bGQ".utf8)) == Array("Hello world".utf8))
        #expect(TransferDecoding.base64(Array("SGk=\n".utf8)) == Array("Hi".utf8))
        #expect(TransferDecoding.base64(Array("!!!".utf8)) == [])
    }

    @Test func quotedPrintableDecodesEscapesAndSoftBreaksAndKeepsStrayEquals() {
        let decoded = TransferDecoding.quotedPrintable(
            Array("caf=C3=A9 =\r\nau lait=  \nx=3dy a=zz =".utf8), underscoreIsSpace: false)
        #expect(String(decoding: decoded, as: UTF8.self) == "café au laitx=y a=zz ")
    }

    @Test func eightBitAndBinaryBodiesPassThrough() throws {
        let bytes =
            Array("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\ncaf".utf8) + [0xE9]
        #expect(try InboundMessage.parse(bytes).text == "café")
    }

    @Test func parametersAreReadQuotedUnquotedAndWithRFC2231Continuations() {
        let type = ContentType.parse(
            "Text/HTML; Charset=\"UTF-8\"; format=flowed; title*=us-ascii'en'This%20is%20it; "
                + "name*0=\"a;b \"; name*1*=%C3%A9.txt")
        #expect(type?.mimeType == "text/html")
        #expect(type?.charset == "UTF-8")
        #expect(type?.parameters["format"] == "flowed")
        #expect(type?.parameters["title"] == "This is it")
        #expect(type?.parameters["name"] == "a;b é.txt")
        #expect(ContentType.parse("garbage") == nil)
    }

    @Test func anEncodedWordFileNameIsDecoded() {
        let disposition = ContentDisposition.parse("attachment; filename=\"=?utf-8?B?QW5nZWJvdMOkLnBkZg==?=\"")
        #expect(disposition.isAttachment)
        #expect(disposition.filename == "Angebotä.pdf")
    }

    @Test func anUnreadableContentTypeMeansPlainText() throws {
        let message = try Fixture.parse("Content-Type: nonsense\n\nhello")
        #expect(message.root.contentType == .plainText)
        #expect(message.text == "hello")
    }

    @Test func aMultipartWithoutBoundaryIsKeptAsBytesAndNoted() throws {
        let message = try Fixture.parse("Content-Type: multipart/mixed\n\nhello")
        #expect(message.root.bytes == Array("hello".utf8))
        #expect(message.defects == [.missingBoundary])
    }

    @Test func aMultipartWhoseBoundaryNeverOccursIsEmptyAndNoted() throws {
        let message = try Fixture.parse("Content-Type: multipart/mixed; boundary=zz\n\nhello")
        #expect(message.root.parts.isEmpty)
        #expect(message.defects == [.boundaryNotFound])
    }

    @Test func enclosedMessagesAndHeaderBlocksAreParsed() throws {
        let message = try Fixture.message("postfix-delayed")
        guard case .message(let original) = message.root.parts[2].content else {
            Issue.record("expected an enclosed message")
            return
        }
        #expect(original.subject == "Fran, here is the guide you asked for")
        #expect(original.text == "Hi Fran,\n\nThe guide is attached.\n")
        // The enclosed message is not the reply's text.
        #expect(message.text?.hasPrefix("This is the mail system") == true)

        let bounce = try Fixture.message("postfix-hard-bounce")
        guard case .headers(let headers) = bounce.root.parts[2].content else {
            Issue.record("expected a header block")
            return
        }
        #expect(headers["X-Nurture-Campaign"] == "whitepaper-followup")
    }

    @Test func htmlIsUsedOnlyWhenThereIsNoPlainText() throws {
        let message = try Fixture.parse(
            """
            Content-Type: text/html; charset=utf-8

            <html><head><title>t</title><style>p { color: red }</style></head><body>
            <p>Sounds&nbsp;good &amp; thanks!</p><!-- hidden --><script>alert(1)</script>
            <div>Dana<br>CTO</div><blockquote><p>Earlier text</p></blockquote></body></html>
            """)
        #expect(message.text == "Sounds good & thanks!\nDana\nCTO\n> Earlier text")
        #expect(message.replyExcerpt() == "Sounds good & thanks!\nDana\nCTO")
    }

    @Test func nestingDeeperThanTheLimitIsKeptUnparsedWithoutExhaustingTheStack() throws {
        let message = try Fixture.message("nested-200")
        #expect(message.subject == "Nested")
        #expect(message.defects.contains(.depthLimitReached))
        var depth = 0
        var part = message.root
        while let child = part.parts.first {
            depth += 1
            part = child
        }
        #expect(depth == InboundParseLimits.default.maximumDepth)
        #expect(part.bytes != nil)
    }

    @Test func partsPastTheLimitAreDroppedAndNoted() throws {
        let body = (0..<30).map { "--b\n\npart \($0)\n" }.joined() + "--b--\n"
        var limits = InboundParseLimits()
        limits.maximumParts = 5
        let message = try InboundMessage.parse(
            Array("Content-Type: multipart/mixed; boundary=b\n\n\(body)".utf8), limits: limits)
        #expect(message.root.parts.count == 5)
        #expect(message.defects == [.partLimitReached])
    }
}
