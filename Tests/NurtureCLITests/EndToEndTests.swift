import Foundation
import NurtureTestSupport
import Testing

/// The real binary, a real SMTP server and a virtual clock: three weeks of the web-lead campaign for prospects in
/// four time zones, a reply, an unsubscribe and a restart, in well under a minute of real time.
@Suite(.serialized)
struct EndToEndTests {
    /// Monday 23 November 2026, 14:00 UTC: 09:00 in New York, 19:30 in Kolkata, 03:00 Tuesday in Auckland.
    static let start = "2026-11-23T14:00:00Z"
    static let zones = [
        "ny@example.com": "America/New_York", "kol@example.com": "Asia/Kolkata", "akl@example.com": "Pacific/Auckland",
        "reply@example.com": "Europe/Berlin", "unsub@example.com": "Europe/Berlin",
    ]
    static let emailSteps = ["thanks", "value", "case-study", "check-in", "breakup"]
    static let holidays: Set<String> = ["2026-11-26", "2026-12-25", "2027-01-01"]

    struct Received {
        let to: String
        let step: String
        let date: Date
        let subject: String
    }

    @Test func threeTimeZonesPlayTheCampaignWithAReplyAnUnsubscribeAndARestart() throws {
        let server = try TestSMTPServer()
        let folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n\(Daemon.anyPort)"
        ])
        let config = ["--config", folder.path + "/nurture.yml"]
        let environment = ["NURTURE_SMTP_URL": "smtp://127.0.0.1:\(server.port)"]
        func nurture(_ arguments: [String]) throws -> ChildProcess.Result {
            let result = try NurtureProcess.run(arguments + config, environment: environment)
            #expect(result.status == 0, "nurture \(arguments): \(result.stderrText)")
            return result
        }
        _ = try nurture(["enroll", "monthly-nurture", "--email", "unsub@example.com", "--at", Self.start])
        for (email, zone) in Self.zones.sorted(by: { $0.key < $1.key }) {
            _ = try nurture([
                "enroll", "web-lead-followup", "--email", email, "--timezone", zone, "--var", "first_name=Pat",
                "--var", "phone=+1 555 0100", "--at", Self.start,
            ])
        }

        // Each message is read by Python once: the polls below ask again and again.
        var parsedSoFar: [Int: Received] = [:]
        func received() throws -> [Received] {
            try server.messages().compactMap { entry in
                guard let number = entry.number else { return nil }
                if let known = parsedSoFar[number] { return known }
                let parsed = try PythonEmailParser.parse(bytes: try server.messageBytes(number))
                let step = parsed.extraHeaders.first { $0.first == "X-Nurture-Step" }?.last ?? "?"
                let date = try #require(parsed.dateIso.flatMap { ISO8601DateFormatter().date(from: $0) })
                let message = Received(
                    to: entry.recipients?.first ?? "?", step: step, date: date, subject: parsed.subject)
                parsedSoFar[number] = message
                return message
            }
        }
        func steps(to email: String, in messages: [Received]) -> [String] {
            messages.filter { $0.to == email }.map(\.step)
        }

        var daemon = try Daemon(
            ["--time-scale", "100000", "--clock-start", Self.start] + config, in: folder, environment: environment)
        // The reply and the unsubscribe come from the outside world, while the daemon runs.
        #expect(
            try eventually(within: .seconds(30)) {
                try steps(to: "unsub@example.com", in: received()).contains("thanks")
            })
        _ = try nurture(["event", "unsub@example.com", "unsubscribe"])
        #expect(
            try eventually(within: .seconds(30)) {
                try steps(to: "reply@example.com", in: received()).contains("value")
            })
        _ = try nurture(["event", "reply@example.com", "reply"])

        // Stop in the middle and start again where the virtual clock stood.
        #expect(
            try eventually(within: .seconds(30)) {
                try steps(to: "ny@example.com", in: received()).contains("case-study")
            })
        #expect(daemon.terminate() == 0, "\(daemon.output)")
        let stoppedAt = try #require(
            daemon.output.split(separator: "\n").last { $0.contains("stopped; engine clock at ") }?
                .split(separator: " ").last.map(String.init), "\(daemon.output)")
        daemon = try Daemon(
            ["--time-scale", "100000", "--clock-start", stoppedAt] + config, in: folder, environment: environment)
        let everyoneDone = try eventually(within: .seconds(45)) {
            let messages = try received()
            return ["ny@example.com", "kol@example.com", "akl@example.com"].allSatisfy {
                steps(to: $0, in: messages).contains("breakup")
            }
        }
        #expect(everyoneDone, "\(daemon.output)")
        daemon.terminate()

        let messages = try received()
        for email in ["ny@example.com", "kol@example.com", "akl@example.com"] {
            let mine = messages.filter { $0.to == email }
            #expect(mine.map(\.step) == Self.emailSteps, "\(email): nothing lost, nothing twice, in order")
            try checkWindowsAndGaps(mine, zone: try #require(TimeZone(identifier: Self.zones[email] ?? "")))
        }
        #expect(steps(to: "reply@example.com", in: messages) == ["thanks", "value"], "a reply stops the rest")
        #expect(steps(to: "unsub@example.com", in: messages) == ["thanks"], "an unsubscribe stops every campaign")
        let tasks = messages.filter { $0.to == "dana@acme.example" }.map(\.step)
        #expect(tasks.filter { $0 == "call-now" }.count == 5)
        #expect(tasks.filter { $0 == "linkedin" }.count == 3)

        let again = try NurtureProcess.run(
            ["enroll", "monthly-nurture", "--email", "unsub@example.com"] + config, environment: environment)
        #expect(again.status == 1)
        #expect(again.stderrText.contains("suppressed"))
    }

    /// Every email after the first falls inside Mon-Fri 08:30-17:00 in the prospect's zone, off the holidays,
    /// and the waits between them hold.
    func checkWindowsAndGaps(_ messages: [Received], zone: TimeZone) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = zone
        day.dateFormat = "yyyy-MM-dd"
        for message in messages.dropFirst() {
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: message.date)
            let minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            let place = "\(message.step) at \(message.date) in \(zone.identifier)"
            #expect((2...6).contains(parts.weekday ?? 0), "\(place): a weekday")
            #expect((8 * 60 + 30)..<(17 * 60) ~= minutes, "\(place): inside 08:30-17:00")
            #expect(!Self.holidays.contains(day.string(from: message.date)), "\(place): not a holiday")
        }
        // value, case-study: 4 business days; check-in: 2 + 4; breakup: a week. Never under the 1-day gap.
        let least: [TimeInterval] = [4, 4, 6, 7].map { $0 * 86_400 - 3600 }
        for (index, pair) in zip(messages, messages.dropFirst()).enumerated() {
            #expect(pair.1.date.timeIntervalSince(pair.0.date) >= least[index], "\(pair.1.step) came too soon")
        }
    }
}
