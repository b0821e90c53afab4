import Foundation
import FuzzCheck
import NurtureCore
import NurtureRendering

@testable import NurtureCampaigns

/// A step's Mustache subject and Markdown body filled in for a prospect, with click tracking on: any template
/// that compiles renders or names the missing variable, never crashes.
///
/// The input is cut at 0xFF bytes (never UTF-8) into: subject template, body template, then name and value of
/// each prospect attribute.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let pieces = FuzzCheck.pieces(data, size)
    guard pieces.count >= 2,
        let subject = try? Template(
            source: pieces[0], location: SourceLocation(file: "fuzzed.yml", line: 9, column: 16)),
        let body = try? Template(
            source: pieces[1], location: SourceLocation(file: "bodies/fuzzed.md", line: 1, column: 1))
    else { return 0 }
    var values = ["unsubscribe_url": "https://go.acme.example/u/TOKEN", "email": "ann@example.com"]
    var index = 2
    while index + 1 < pieces.count {
        values[pieces[index]] = pieces[index + 1]
        index += 2
    }

    let email = EmailStep(subject: subject, body: body, bodyPath: "bodies/fuzzed.md")
    let step = Step(
        id: "one", timing: .after(.immediately), window: .any, action: .email(email), isBreakup: false,
        repliesInThread: false, skipIf: [], onlyIf: [], location: SourceLocation(file: "fuzzed.yml", line: 6, column: 5)
    )
    let campaign = Campaign(
        id: "fuzzed", name: "Fuzzed", from: sender, replyTo: nil, owner: sender, timeZoneIdentifier: "UTC",
        sendWindow: .always, holidays: [], defaults: ["first_name": "there"], priority: 0, concurrent: false,
        maxLateness: nil, minimumGap: nil, steps: [step], onClickEnroll: nil, onClickLocation: nil, path: "fuzzed.yml")
    var clicks = 0
    do {
        let rendered = try StepRenderer().renderEmail(email, step: step, of: campaign, values: values) { url in
            guard !url.hasPrefix("https://go.acme.example/u/") else { return nil }
            clicks += 1
            return "https://go.acme.example/c/\(clicks)"
        }
        _ = (rendered.subject, rendered.text, rendered.html)
    } catch {
        check(
            body.unguardedVariables.contains(error.variable) || subject.unguardedVariables.contains(error.variable),
            "refused for `\(error.variable)`, which no template needs")
    }
    return 0
}

private let sender = Mailbox(displayName: "Dana Reyes", address: try! EmailAddress("dana@acme.example"))
