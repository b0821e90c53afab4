import Foundation
import PropertyBased
import Testing

@testable import NurtureInbound

/// The parser will face whatever arrives in the reply mailbox, and later libFuzzer: it must never trap, and
/// never take more than linear time.
@Suite struct RobustnessTests {
    @Test func garbageIsRefusedWithAnErrorThatSaysWhatToFetch() {
        #expect {
            try Fixture.message("garbage")
        } throws: { error in
            (error as? InboundParseError)?.code == .notAMessage
                && (error as? InboundParseError)?.message.contains("BODY.PEEK[]") == true
        }
    }

    @Test func emptyInputIsRefused() {
        for bytes in [[], Array(" \r\n\t".utf8)] as [[UInt8]] {
            #expect(throws: InboundParseError.self) { try InboundMessage.parse(bytes) }
            do {
                _ = try InboundMessage.parse(bytes)
            } catch {
                #expect(error.code == .empty)
            }
        }
    }

    @Test func oversizedInputIsRefused() {
        var limits = InboundParseLimits()
        limits.maximumMessageBytes = 10
        do {
            _ = try InboundMessage.parse(Array("Subject: too long for the limit\n\n".utf8), limits: limits)
            Issue.record("expected tooLarge")
        } catch {
            #expect(error.code == .tooLarge)
        }
    }

    @Test func randomBytesNeverCrashTheParser() async {
        await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...2_000)) { bytes in
            exercise(bytes)
        }
    }

    @Test func randomlyDamagedFixturesNeverCrashTheParser() async {
        let fixtures = Fixture.names.map { Fixture.bytes($0) }
        await propertyCheck(
            count: 300, input: Gen.int(in: 0..<fixtures.count), Gen.int(in: 0...10_000).array(of: 1...12),
            Gen.uint8().array(of: 1...12)
        ) { index, positions, values in
            var bytes = fixtures[index]
            for (position, value) in zip(positions, values) where !bytes.isEmpty {
                bytes[position % bytes.count] = value
            }
            // Truncation too: a damaged message is often a cut one.
            exercise(Array(bytes.prefix(positions[0] % (bytes.count + 1) + bytes.count / 2)))
        }
    }

    @Test func randomMailLikeTextNeverCrashesTheParser() async {
        let pieces = [
            "Content-Type: multipart/mixed; boundary=b\n", "--b\n", "--b--\n", "\n", "=?utf-8?q?", "?=", "=?", "<", ">",
            "(", ")", "\"", "Content-Transfer-Encoding: base64\n", "Content-Transfer-Encoding: quoted-printable\n",
            "Content-Type: message/rfc822\n", "Content-Type: text/rfc822-headers\n", "From: ", "a@b.example", " ",
            "=\n", "=4", "Subject: ", "Auto-Submitted: auto-replied\n", "Content-Type: message/delivery-status\n",
            "Final-Recipient: rfc822;", "Status: 5.1.1\n", "Action: failed\n", "<p>", "&#x", ";", "\t", "\r",
            "filename*0*=", "'", "%", "Content-Type: text/html\n", "<!--", "> ", "On x wrote:\n", "-- \n",
        ]
        await propertyCheck(count: 500, input: Gen.element(of: pieces).array(of: 0...200)) { chosen in
            exercise(Array(("Subject: x\n" + chosen.compactMap { $0 }.joined()).utf8))
        }
    }

    /// Inputs built to be quadratic for a naive parser; each must finish in well under the time a quadratic
    /// pass would take (at these sizes, minutes).
    enum HostileShape: CaseIterable, Sendable {
        case encodedWordStarts, adjacentEncodedWords, unclosedTags, unclosedComments, openAngleAddresses
        case nestedComments, boundaryLikeLines, emptyParts, headerLines, continuationLines, quotedLines
        case statusBlocks, quotedPrintableEquals

        var text: String {
            switch self {
            case .encodedWordStarts: "Subject: " + String(repeating: "=?a?q?", count: 60_000) + "\n\n"
            case .adjacentEncodedWords: "Subject: " + String(repeating: "=?utf-8?q?a?= ", count: 30_000) + "\n\n"
            case .unclosedTags: "Content-Type: text/html\n\n" + String(repeating: "<", count: 300_000)
            case .unclosedComments: "Content-Type: text/html\n\n" + String(repeating: "<!--", count: 80_000) + ">"
            case .openAngleAddresses: "From: " + String(repeating: "<", count: 300_000) + "\n\n"
            case .nestedComments: "From: " + String(repeating: "(", count: 300_000) + "\n\n"
            case .boundaryLikeLines:
                "Content-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b x\n", count: 60_000)
            case .emptyParts:
                "Content-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b\n", count: 60_000)
            case .headerLines: String(repeating: "X-A: b\n", count: 60_000) + "\n"
            case .continuationLines: "Subject: a\n" + String(repeating: " b\n", count: 100_000) + "\n"
            case .quotedLines: "Subject: a\n\n" + String(repeating: "> a\n", count: 100_000)
            case .statusBlocks:
                "Content-Type: multipart/report; boundary=b\n\n--b\nContent-Type: message/delivery-status\n\n"
                    + String(repeating: "Final-Recipient: rfc822; a@b.example\n\n", count: 20_000)
            case .quotedPrintableEquals:
                "Content-Transfer-Encoding: quoted-printable\n\n" + String(repeating: "=  ", count: 100_000)
            }
        }
    }

    @Test(arguments: HostileShape.allCases)
    func hostileShapesStayFast(shape: HostileShape) {
        let text = shape.text
        let elapsed = ContinuousClock().measure { exercise(Array(text.utf8)) }
        #expect(elapsed < .seconds(20), "\(shape) took \(elapsed)")
    }

    /// Parses, then touches every accessor the daemon uses.
    private func exercise(_ bytes: [UInt8]) {
        guard let message = try? InboundMessage.parse(bytes) else { return }
        _ = message.from
        _ = message.to
        _ = message.replyTo
        _ = message.messageID
        _ = message.inReplyTo
        _ = message.references
        _ = message.date
        _ = message.subject
        _ = message.text
        _ = message.autoReply
        _ = message.deliveryReport
        _ = message.replyExcerpt()
    }
}
