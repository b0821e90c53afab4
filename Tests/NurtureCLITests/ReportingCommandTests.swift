import Foundation
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore
import NurtureTestSupport
import Testing

@testable import nurture

/// `status`, `timeline`, `plan` and `forecast`: the real binary for what a user types, and the reports themselves
/// on a manual clock for exact times.
struct ReportingCommandTests {
    /// The sample campaigns, with state in a folder of the test's own.
    let folder: TemporaryFolder
    var config: [String] { ["--config", folder.path + "/nurture.yml"] }

    init() throws {
        folder = try TemporaryFolder([
            "nurture.yml": "campaigns: \(NurtureProcess.packageRoot.path)/campaigns\nstate: ./var\n"
        ])
    }

    func nurture(_ arguments: [String]) throws -> ChildProcess.Result {
        try NurtureProcess.run(arguments + config)
    }

    /// JSON as a script reads it: snake_case keys.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    static func instant(_ text: String) throws -> Date {
        try #require(try? Date.ISO8601FormatStyle().parse(text), "\(text)")
    }

    // MARK: plan

    /// Friday 17:59 in New York is Saturday 04:29 in Kolkata: the campaign's window and holidays count there.
    @Test func planTimesEveryStepOnTheProspectsClocksInKolkata() throws {
        let result = try nurture([
            "plan", "web-lead-followup", "--email", "x@example.com", "--start", "2026-11-27T17:59:00-05:00",
            "--timezone", "Asia/Kolkata",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.hasPrefix(
                "`web-lead-followup` for x@example.com in Asia/Kolkata, enrolled Sat 2026-11-28 04:29") == true)
        let steps = lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        // id, channel, weekday, date, time, zone, UTC
        let expected: [[String]] = [
            ["thanks", "email", "Sat", "2026-11-28", "04:29", "2026-11-27T22:59:00Z"],
            ["call-now", "task", "Sat", "2026-11-28", "04:29", "2026-11-27T22:59:00Z"],
            ["value", "email", "Thu", "2026-12-03", "08:30", "2026-12-03T03:00:00Z"],
            ["moved", "from", "Thu", "2026-12-03", "04:29", "to"],
            ["case-study", "email", "Wed", "2026-12-09", "08:30", "2026-12-09T03:00:00Z"],
            ["linkedin", "task", "Fri", "2026-12-11", "08:30", "2026-12-11T03:00:00Z"],
            ["check-in", "email", "Thu", "2026-12-17", "08:30", "2026-12-17T03:00:00Z"],
            ["breakup", "email", "Thu", "2026-12-24", "08:30", "2026-12-24T03:00:00Z"],
        ]
        #expect(steps.count == expected.count, "\(result.stdoutText)")
        for (line, want) in zip(steps, expected) {
            #expect(Array(line.prefix(5)) == Array(want.prefix(5)), "\(line)")
            if want[0] != "moved" { #expect(line.last == want.last, "\(line)") }
        }
        #expect(
            lines.contains(
                "    moved from Thu 2026-12-03 04:29 to Thu 2026-12-03 08:30 (outside the send window mon-fri 08:30-17:00)"
            ))
    }

    /// In the campaign's own New York the breakup falls on Christmas Day and moves to Monday.
    @Test func planMovesTheBreakupPastAHolidayInTheCampaignsZone() throws {
        let result = try nurture([
            "plan", "web-lead-followup", "--email", "x@example.com", "--start", "2026-11-27T17:59:00-05:00", "--json",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        let plan = try Self.decode(PlanJSON.self, from: result.stdout)
        #expect(plan.campaign == "web-lead-followup")
        #expect(plan.timeZone == "America/New_York")
        #expect(
            plan.steps.map(\.step) == ["thanks", "call-now", "value", "case-study", "linkedin", "check-in", "breakup"])
        #expect(plan.steps.map(\.channel) == ["email", "task", "email", "email", "task", "email", "email"])
        #expect(
            plan.steps.map(\.at) == [
                "2026-11-27T22:59:00Z", "2026-11-27T22:59:00Z",
                "2026-12-04T13:30:00Z",  // 4 business days: Thu 3rd 17:59, after hours, so Friday's opening
                "2026-12-10T13:30:00Z", "2026-12-14T13:30:00Z", "2026-12-18T13:30:00Z",
                "2026-12-28T13:30:00Z",  // a week: Friday 25th, Christmas, so Monday
            ])
        #expect(plan.steps.map(\.local).last == "Mon 2026-12-28 08:30 EST")
        #expect(
            plan.steps.last?.explanations == [
                "moved from Fri 2026-12-25 08:30 to Mon 2026-12-28 08:30 (2026-12-25 is a holiday)"
            ])
        #expect(plan.steps.allSatisfy { !$0.skipped })
    }

    @Test func planForAProspectWhoPrefersThePhoneTurnsEveryEmailIntoATask() throws {
        let result = try nurture([
            "plan", "re-engagement", "--email", "x@example.com", "--prefers", "phone", "--start",
            "2026-11-24T10:00:00Z",
            "--json",
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        let plan = try Self.decode(PlanJSON.self, from: result.stdout)
        #expect(plan.steps.map(\.channel) == ["task", "task", "task", "task"])
        #expect(plan.steps[0].explanations.first == "sent to the owner as a task: the prospect prefers the phone")
    }

    @Test func planTouchesNoState() throws {
        let result = try nurture(["plan", "monthly-nurture", "--email", "x@example.com"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/var"))
    }

    @Test(arguments: [
        (
            ["--timezone", "Asia/Kolkatta"],
            "nurture: error: unknown time zone `Asia/Kolkatta`; use an IANA name like `Europe/Berlin`\n"
        ),
        (
            ["--start", "next friday"],
            "nurture: error: `--start next friday` is not an ISO 8601 date-time; write it like 2026-11-27T17:59:00-05:00\n"
        ),
    ])
    func planRefusesABadZoneOrStartInOneLine(arguments: [String], message: String) throws {
        let result = try nurture(["plan", "web-lead-followup", "--email", "x@example.com"] + arguments)
        #expect(result.status == 1)
        #expect(result.stderrText == message)
        #expect(result.stdout.isEmpty)
    }

    // MARK: status

    @Test func statusOnAnEmptyStateCountsNothingAndListsTheCampaigns() throws {
        let result = try nurture(["status"])
        #expect(result.status == 0, "\(result.stderrText)")
        for line in [
            "prospects: 0", "enrollments: 0", "due now: 0", "pending: 0", "uncertain deliveries: 0",
            "failed deliveries: 0", "suppressed addresses: 0",
            "campaigns: 3 loaded (monthly-nurture, re-engagement, web-lead-followup)",
        ] {
            #expect(result.stdoutText.contains(line + "\n"), "\(line) in \(result.stdoutText)")
        }
        #expect(!result.stdoutText.contains("campaign errors"))
    }

    @Test func statusAsJSONCountsAnEnrollmentAndCampaignErrors() throws {
        let campaigns = try TemporaryFolder(["broken.yml": "id: broken\nsteps: 3\n"])
        try FileManager.default.copyItem(
            atPath: NurtureProcess.packageRoot.path + "/campaigns/web-lead-followup.yml",
            toPath: campaigns.path + "/web-lead-followup.yml")
        try FileManager.default.copyItem(
            atPath: NurtureProcess.packageRoot.path + "/campaigns/bodies", toPath: campaigns.path + "/bodies")
        try folder.write("campaigns: \(campaigns.path)\nstate: ./var\n", to: "nurture.yml")
        let enrolled = try nurture([
            "enroll", "web-lead-followup", "--email", "sam@example.com", "--at", "2030-01-07T15:00:00Z",
        ])
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")

        let result = try nurture(["status", "--json"])
        #expect(result.status == 0, "\(result.stderrText)")
        let status = try Self.decode(StatusJSON.self, from: result.stdout)
        #expect(status.prospects == 1)
        #expect(status.enrollments == ["active": 1, "paused": 0, "completed": 0, "stopped": 0])
        #expect(status.pending + status.dueNow == 1)
        #expect(status.nextDueAt == "2030-01-07T15:00:00Z")
        #expect(status.campaigns.loaded == ["web-lead-followup"])
        #expect(status.campaigns.errors >= 1)
        #expect(status.campaigns.firstError?.contains("broken.yml") == true)
        let text = try nurture(["status"])
        #expect(text.stdoutText.contains("campaign errors: "), "\(text.stdoutText)")
    }

    // MARK: timeline

    @Test func timelineAfterEnrollingShowsTheProspectTheEnrollmentAndTheFirstStep() throws {
        let enrolled = try nurture([
            "enroll", "web-lead-followup", "--email", "kol@example.com", "--timezone", "Asia/Kolkata",
            "--var", "first_name=Priya", "--at", "2030-01-07T15:00:00Z",
        ])
        #expect(enrolled.status == 0, "\(enrolled.stderrText)")
        let result = try nurture(["timeline", "kol@example.com"])
        #expect(result.status == 0, "\(result.stderrText)")
        let text = result.stdoutText
        #expect(
            text.hasPrefix(
                "kol@example.com\n  time zone: Asia/Kolkata\n  prefers: email\n  attributes: first_name=Priya\n"))
        #expect(
            text.contains(
                "  web-lead-followup: active, enrolled Mon 2030-01-07 20:30 GMT+5:30 (2030-01-07T15:00:00Z)\n"),
            "\(text)")
        #expect(text.contains("    next: thanks by email at "), "\(text)")
        #expect(text.contains("history: nothing sent or recorded yet"))

        let json = try nurture(["timeline", "kol@example.com", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let enrollments = try #require(object["enrollments"] as? [[String: Any]])
        #expect(enrollments.first?["campaign"] as? String == "web-lead-followup")
        #expect(((enrollments.first?["next"] as? [[String: Any]])?.first?["step"]) as? String == "thanks")
    }

    @Test func timelineOfAnUnknownProspectSaysHowToEnrollOne() throws {
        let result = try nurture(["timeline", "nobody@example.com"])
        #expect(result.status == 1)
        #expect(
            result.stderrText
                == "nurture: error: no prospect nobody@example.com; enroll one with `nurture enroll CAMPAIGN --email nobody@example.com`\n"
        )
    }

    // MARK: forecast

    @Test func forecastAfterEnrollingCountsTheFirstStepsToday() throws {
        for email in ["a@example.com", "b@example.com"] {
            let enrolled = try nurture(["enroll", "web-lead-followup", "--email", email])
            #expect(enrolled.status == 0, "\(enrolled.stderrText)")
        }
        // The first two steps go out at once; the third is four business days away, past today.
        let result = try nurture(["forecast", "--days", "1", "--json"])
        #expect(result.status == 0, "\(result.stderrText)")
        let forecast = try Self.decode(ForecastJSON.self, from: result.stdout)
        #expect(forecast.days.count == 1)
        #expect(
            forecast.rows.map { "\($0.campaign)/\($0.step) \($0.channel) \($0.counts)" } == [
                "web-lead-followup/thanks email [2]", "web-lead-followup/call-now task [2]",
            ])
        #expect(forecast.emails == [2])
        let text = try nurture(["forecast"])
        #expect(text.status == 0, "\(text.stderrText)")
        #expect(text.stdoutText.contains("\nall emails "), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("\n2 running enrollments with sends in these days\n"), "\(text.stdoutText)")
    }

    @Test func forecastRefusesZeroDaysInOneLine() throws {
        let result = try nurture(["forecast", "--days", "0"])
        #expect(result.status == 1)
        #expect(result.stderrText == "nurture: error: `--days 0` must be between 1 and 366\n")
    }
}

// MARK: The reports on a manual clock

extension ReportingCommandTests {
    /// The runtime the commands build, on `clock`.
    func runtime(_ clock: ManualClock) throws -> Runtime {
        try Runtime(options: ConfigOptions.parse(config), clock: clock)
    }

    func enroll(
        _ email: String, in campaign: String, zone: String? = nil, prefers: Channel? = nil,
        attributes: [String: String] = [:], _ runtime: Runtime
    ) throws {
        let draft = ProspectDraft(
            email: try EmailAddress(email), attributes: attributes, timeZone: zone, preferredChannel: prefers)
        let outcome = try runtime.enroller.enroll(draft, in: campaign)
        guard case .enrolled = outcome.result else { throw CommandFailure(message: "not enrolled: \(outcome.result)") }
    }

    /// Sends whatever is due now through a transport that accepts everything.
    func sendDue(_ runtime: Runtime) throws -> Int {
        try Scheduler(runner: try runtime.runner(), transports: [MemoryMailTransport()]).runDue()
    }

    /// Kolkata, New York and a phone person enroll on Friday 27 November 2026 at 22:59 UTC; each planned send lands
    /// in its UTC day, counted once.
    @Test func forecastCountsEachStepOfEachProspectOnTheDayItGoesOut() throws {
        let clock = ManualClock(try Self.instant("2026-11-27T22:59:00Z"))
        let runtime = try runtime(clock)
        try enroll("kol@example.com", in: "web-lead-followup", zone: "Asia/Kolkata", runtime)
        try enroll("ny@example.com", in: "web-lead-followup", zone: "America/New_York", runtime)
        try enroll("phone@example.com", in: "web-lead-followup", zone: "America/New_York", prefers: .phone, runtime)
        try enroll("ny@example.com", in: "monthly-nurture", runtime)  // paused behind web-lead-followup

        let forecast = try Forecast(runtime: runtime, days: 14)
        #expect(forecast.days.first == "2026-11-27")
        #expect(forecast.days.last == "2026-12-10")
        func counts(_ step: String, _ channel: String) -> [Int: Int] {
            let row = forecast.rows.first { $0.step == step && $0.channel == channel }
            return Dictionary(
                uniqueKeysWithValues: (row?.counts ?? []).enumerated().filter { $0.element > 0 }.map {
                    ($0.offset, $0.element)
                })
        }
        #expect(counts("thanks", "email") == [0: 2])
        #expect(counts("thanks", "task") == [0: 1])
        #expect(counts("call-now", "task") == [0: 3])
        // Kolkata: Thu 3 Dec 08:30 IST (03:00 UTC); New York: Fri 4 Dec 08:30 EST (13:30 UTC).
        #expect(counts("value", "email") == [6: 1, 7: 1])
        #expect(counts("value", "task") == [7: 1])
        // Kolkata: Wed 9 Dec; New York: Thu 10 Dec.
        #expect(counts("case-study", "email") == [12: 1, 13: 1])
        #expect(counts("linkedin", "task").isEmpty)
        #expect(forecast.emails.reduce(0, +) == 6)
        #expect(forecast.tasks.reduce(0, +) == 6)
        #expect(forecast.enrollments == 3)
        #expect(forecast.paused == 1)
        let lines = forecast.lines(zone: .gmt)
        #expect(
            lines.contains { $0.hasPrefix("web-lead-followup  value       email") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains("1 paused enrollment not counted: it waits for another campaign to end"))
    }

    /// After the first two steps went out, the next one is moved into the window; days later, with the daemon
    /// down, it is overdue and moves again.
    @Test func timelineExplainsWhyTheNextStepGoesWhenItDoes() throws {
        let clock = ManualClock(try Self.instant("2026-11-27T22:59:00Z"))
        let runtime = try runtime(clock)
        try enroll(
            "kol@example.com", in: "web-lead-followup", zone: "Asia/Kolkata", attributes: ["phone": "+91 98 7654 3210"],
            runtime)
        try enroll("kol@example.com", in: "monthly-nurture", runtime)
        #expect(try sendDue(runtime) == 2)

        var report = try TimelineReport(runtime: runtime, email: "kol@example.com")
        #expect(report.history.map(\.what) == ["sent", "sent"])
        #expect(report.history.map(\.step) == ["thanks", "call-now"])
        #expect(report.history.map(\.channel) == ["email", "task"])
        #expect(report.history.allSatisfy { $0.messageID != nil })
        let web = try #require(report.enrollments.first { $0.campaign == "web-lead-followup" })
        #expect(web.next.map(\.step) == ["value"])
        #expect(web.next.first?.at == (try Self.instant("2026-12-03T03:00:00Z")))
        #expect(web.next.first?.timeZone == "Asia/Kolkata")
        #expect(
            web.next.first?.explanations == [
                "moved from Thu 2026-12-03 04:29 to Thu 2026-12-03 08:30 (outside the send window mon-fri 08:30-17:00)"
            ])
        let monthly = try #require(report.enrollments.first { $0.campaign == "monthly-nurture" })
        #expect(monthly.status == "paused")
        #expect(
            monthly.notes == [
                "paused: waits for `web-lead-followup` (priority 10) to end (this one has priority 1); then `month-1`"
            ])

        clock.set(try Self.instant("2026-12-05T06:30:00Z"))  // Saturday noon in Kolkata
        report = try TimelineReport(runtime: runtime, email: "kol@example.com")
        let late = try #require(report.enrollments.first { $0.campaign == "web-lead-followup" }?.next.first)
        #expect(late.at == (try Self.instant("2026-12-07T03:00:00Z")))
        #expect(
            late.explanations == [
                "moved from Thu 2026-12-03 04:29 to Thu 2026-12-03 08:30 (outside the send window mon-fri 08:30-17:00)",
                "overdue since Thu 2026-12-03 08:30; goes out at Mon 2026-12-07 08:30",
                "moved from Sat 2026-12-05 12:00 to Mon 2026-12-07 08:30 (outside the send window mon-fri 08:30-17:00)",
            ])
        let text = report.lines().joined(separator: "\n")
        #expect(text.contains("    next: value by email at Mon 2026-12-07 08:30 "), "\(text)")
        #expect(text.contains("  sent  web-lead-followup/thanks; email to kol@example.com, attempt 1; "), "\(text)")
    }

    /// A task that cannot be filled (no `phone`) is skipped, and the history says why and what to do.
    @Test func timelineShowsASkippedStepWithItsReason() throws {
        let folder = try TemporaryFolder([
            "campaigns/call.yml": """
            id: call
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: intro, wait: 0, send_window: any, task: { subject: "Say hello to {{email}}" } }
              - { id: call-now, wait: 0, send_window: any, task: { subject: "Call {{email}} at {{phone}}" } }
              - { id: later, wait: 2 days, task: { subject: "Follow up with {{email}}" } }

            """,
            "nurture.yml": "state: ./var\n",
        ])
        let runtime = try Runtime(
            options: ConfigOptions.parse(["--config", folder.path + "/nurture.yml"]),
            clock: ManualClock(try Self.instant("2026-11-27T22:59:00Z")))
        try enroll("sam@example.com", in: "call", runtime)
        #expect(try sendDue(runtime) == 2)
        let report = try TimelineReport(runtime: runtime, email: "sam@example.com")
        #expect(report.history.map(\.what) == ["sent", "skipped"])
        let skipped = try #require(report.history.last)
        #expect(skipped.step == "call-now")
        #expect(skipped.note?.contains("needs `{{phone}}`") == true, "\(skipped.note ?? "")")
        #expect(skipped.summary.hasPrefix("call/call-now; step `call-now` of `call` needs"))
        #expect(report.enrollments.first?.next.map(\.step) == ["later"])
    }

    /// An unsubscribe ends the sequence and suppresses the address: the timeline says both, and when.
    @Test func timelineOfAnUnsubscribedProspectShowsTheStopAndTheSuppression() throws {
        let runtime = try runtime(ManualClock(try Self.instant("2026-11-27T22:59:00Z")))
        try enroll("sam@example.com", in: "re-engagement", runtime)
        _ = try runtime.actions.record(.unsubscribe, for: try EmailAddress("sam@example.com"), source: "link")
        let report = try TimelineReport(runtime: runtime, email: "sam@example.com")
        #expect(report.enrollments.map(\.status) == ["stopped"])
        #expect(report.enrollments.first?.stopReason == "unsubscribe")
        #expect(report.enrollments.first?.next.isEmpty == true)
        #expect(report.history.map(\.what) == ["unsubscribe"])
        let text = report.lines().joined(separator: "\n")
        #expect(text.contains("  suppressed for good since 2026-11-27T22:59:00Z (unsubscribe, from link)"), "\(text)")
        #expect(
            text.contains(
                "  re-engagement: stopped (unsubscribe), enrolled Fri 2026-11-27 22:59 GMT (2026-11-27T22:59:00Z), "
                    + "ended Fri 2026-11-27 22:59 GMT (2026-11-27T22:59:00Z)"), "\(text)")
    }

    /// A send in flight when the engine stopped is not resent; status counts it and says where to look.
    @Test func statusExplainsUncertainDeliveries() throws {
        let clock = ManualClock(try Self.instant("2026-11-27T22:59:00Z"))
        let runtime = try runtime(clock)
        try enroll("sam@example.com", in: "web-lead-followup", runtime)
        let due = try #require(try runtime.store.claimDueSends(dueBy: clock.now(), limit: 10).first)
        let start = DeliveryStart(
            enrollmentID: due.enrollmentID, stepID: due.stepID, attempt: 1, channel: .email,
            recipient: "sam@example.com", messageID: "<m@acme.example>", subject: "Hi", startedAt: clock.now())
        _ = try #require(try runtime.store.beginDelivery(start))
        _ = try runtime.store.markInFlightUncertain(at: clock.now())

        let lines = try StatusReport(runtime: runtime).lines(zone: .gmt)
        #expect(
            lines.contains(
                "uncertain deliveries: 1 (1 send was in flight when the engine stopped; it was not resent: check it "
                    + "with `nurture timeline EMAIL`)"), "\(lines)")
    }
}

/// What the JSON outputs hold, read back with Foundation as a script would.
private struct PlanJSON: Decodable {
    struct Step: Decodable {
        let step: String
        let channel: String
        let skipped: Bool
        let at: String
        let local: String
        let explanations: [String]
    }

    let campaign: String
    let timeZone: String
    let steps: [Step]
}

private struct StatusJSON: Decodable {
    struct Campaigns: Decodable {
        let loaded: [String]
        let errors: Int
        let firstError: String?
    }

    let prospects: Int
    let enrollments: [String: Int]
    let dueNow: Int
    let pending: Int
    let nextDueAt: String?
    let campaigns: Campaigns
}

private struct ForecastJSON: Decodable {
    struct Row: Decodable {
        let campaign: String
        let step: String
        let channel: String
        let counts: [Int]
    }

    let days: [String]
    let rows: [Row]
    let emails: [Int]
}
