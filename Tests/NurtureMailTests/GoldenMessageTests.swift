import Foundation
import NurtureCore
import NurtureTestSupport
import Testing

@testable import NurtureMail

/// Whole messages compared byte for byte with hand-checked files in `Golden/`.
///
/// After a deliberate change, run with `NURTURE_RECORD_GOLDEN=1` to rewrite the files, check each one by hand
/// against RFC 5322, 2045 and 2047, then run again without it.
@Suite struct GoldenMessageTests {
    static let goldenFolder = Fixture.testsFolder.appendingPathComponent("Golden")

    static let cases: [(file: String, message: MailMessage)] = [
        ("ascii.eml", Fixture.message()),
        (
            "non-ascii-with-reply-to.eml",
            MailMessage(
                from: Fixture.mailbox("José Ñúñez", "jose@acme.example"),
                to: Fixture.mailbox("Reyes, Dana", "dana@prospect.example"),
                replyTo: Fixture.mailbox("Ventas \"Acme\" \\ Iberia", "ventas@acme.example"),
                subject: "Olá, {{name}} — 10% off ☕",
                textBody: "Olá Dana,\n\nO café está pronto: 10% = menos custo. \n.\nFrom the team\n",
                htmlBody: "<p>Olá Dana,</p>\n<p style=\"color:#333\">O café está pronto ☕</p>",
                listUnsubscribe: Fixture.unsubscribe,
                extraHeaders: [MailHeader("X-Nurture-Campaign", "whitepaper-followup")]
            )
        ),
        (
            "long-lines.eml",
            Fixture.message(
                subject: "A rather long subject line that goes on and on so that it has to be folded somewhere "
                    + "sensible, at white space, twice over if need be",
                textBody: String(repeating: "All work and no play makes Dana a dull prospect. ", count: 4) + "\n",
                htmlBody: "<p>" + String(repeating: "é", count: 40) + "</p>\n"
            )
        ),
    ]

    @Test(arguments: cases.map(\.file))
    func builtMessageMatchesItsHandCheckedGoldenFile(_ file: String) throws {
        let message = try #require(Self.cases.first { $0.file == file }).message
        let built = try Fixture.builder().build(message)
        let url = Self.goldenFolder.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["NURTURE_RECORD_GOLDEN"] == "1" {
            try Data(built.bytes).write(to: url)
            Issue.record("recorded \(file); check it by hand, then run the tests again without NURTURE_RECORD_GOLDEN")
            return
        }
        let golden = try [UInt8](Data(contentsOf: url))
        #expect(built.bytes == golden, "\(file) differs; built:\n\(built.text)")
    }

    @Test(arguments: cases.map(\.file))
    func goldenFileIsReadBackByPythonWithoutDefects(_ file: String) throws {
        let message = try #require(Self.cases.first { $0.file == file }).message
        let parsed = try PythonEmailParser.parse(try Fixture.builder().build(message))
        #expect(parsed.defects.isEmpty)
        #expect(parsed.subject == message.subject)
    }
}
