import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `StepPlanner.nextStep`: one step's due time and the adjustments that explain it. The test campaign's window is
/// mon-fri 08:30-17:00 in America/New_York, with holidays 2026-11-26, 2026-12-24 and 2026-12-25.
struct StepPlannerTests {
    static let thanks = #"  - { id: thanks, wait: 0, send_window: any, email: { subject: "Thanks", body: body.md } }"#
    static func office() throws -> SendWindow { try Fixtures.window(Fixtures.weekdays, (8, 30), (17, 0)) }

    static func campaign(extra: String = "", _ step: String) throws -> Campaign {
        try Fixtures.campaign(extra: extra, steps: thanks + "\n" + step)
    }

    static func planner(
        _ campaign: Campaign, enrolledAt: String, zone: String? = nil, channel: PreferredChannel = .email,
        attributes: [String: String] = [:], gap: Wait? = nil
    ) throws -> StepPlanner {
        StepPlanner(
            campaign: campaign, prospectTimeZone: try zone.map(Fixtures.zone), preferredChannel: channel,
            attributes: attributes, enrolledAt: try Fixtures.instant(enrolledAt), globalMinimumGap: gap)
    }

    @Test func sendWindowAnyGoesOutAtOnceEvenOnASaturdayNight() throws {
        let enrolled = "2026-11-07T23:10:00-05:00"
        let planner = try Self.planner(try Self.campaign(""), enrolledAt: enrolled)
        let at = try Fixtures.instant(enrolled)
        let step = try #require(planner.nextStep(index: 0, anchor: at, lastEmailSent: nil, now: at))
        #expect(step.stepID == "thanks" && step.channel == .email && step.due == at)
        #expect(step.adjustments == [] && !step.isSkipped)
    }

    @Test func aStepOutsideTheWindowMovesToItsNextOpeningAndSaysSo() throws {
        let campaign = try Self.campaign(#"  - { id: hello, wait: 1 hour, email: { subject: "Hi", body: body.md } }"#)
        let anchor = try Fixtures.instant("2026-11-07T13:00:00-05:00")
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-07T13:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.due == (try Fixtures.instant("2026-11-09T08:30:00-05:00")))
        #expect(
            step.explanations == [
                "moved from Sat 2026-11-07 14:00 to Mon 2026-11-09 08:30 (outside the send window mon-fri 08:30-17:00)"
            ])
    }

    @Test func aDueDayOnAHolidayRunMovesPastItAndNamesTheHoliday() throws {
        let campaign = try Self.campaign(#"  - { id: value, wait: 3 days, email: { subject: "Hi", body: body.md } }"#)
        let anchor = try Fixtures.instant("2026-12-21T10:00:00-05:00")
        let planner = try Self.planner(campaign, enrolledAt: "2026-12-21T10:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.due == (try Fixtures.instant("2026-12-28T08:30:00-05:00")))
        #expect(
            step.explanations == ["moved from Thu 2026-12-24 10:00 to Mon 2026-12-28 08:30 (2026-12-24 is a holiday)"])
    }

    @Test func atDayFourteenCountsFromEnrollmentAtTheSameWallClockTime() throws {
        let campaign = try Self.campaign(#"  - { id: two-weeks, at: day 14, email: { subject: "Hi", body: body.md } }"#)
        // Enrolled before New York's clocks fall back; the anchor (the previous step) does not matter.
        let planner = try Self.planner(campaign, enrolledAt: "2026-10-28T10:00:00-04:00")
        let anchor = try Fixtures.instant("2026-10-30T16:00:00-04:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.due == (try Fixtures.instant("2026-11-11T10:00:00-05:00")))
        #expect(step.adjustments == [])
    }

    static let dayBefore = """
          - id: day-before
            wait: { until: demo_date, offset: -1 day }
            email: { subject: "See you tomorrow", body: body.md }
        """

    @Test(arguments: [
        ("2027-03-17T14:00:00-04:00", "2027-03-16T14:00:00-04:00", 0),
        ("2027-03-17", "2027-03-16T09:00:00-04:00", 0),
        ("2027-03-15", "2027-03-15T08:30:00-04:00", 1),
        ("2027-03-17T14:00:00Z", "2027-03-16T10:00:00-04:00", 0),
    ])
    func untilWaitsCountBackFromTheAttributesDate(demoDate: String, expected: String, moves: Int) throws {
        let campaign = try Self.campaign(Self.dayBefore)
        let planner = try Self.planner(
            campaign, enrolledAt: "2027-03-01T10:00:00-05:00", attributes: ["demo_date": demoDate])
        let anchor = try Fixtures.instant("2027-03-01T10:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.due == (try Fixtures.instant(expected)))
        #expect(step.adjustments.count == moves)
    }

    @Test func untilWaitsUseTheProspectsZone() throws {
        let campaign = try Self.campaign(Self.dayBefore)
        let planner = try Self.planner(
            campaign, enrolledAt: "2027-03-01T10:00:00+05:30", zone: "Asia/Kolkata",
            attributes: ["demo_date": "2027-03-17"])
        let anchor = try Fixtures.instant("2027-03-01T10:00:00+05:30")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.due == (try Fixtures.instant("2027-03-16T09:00:00+05:30")))
    }

    @Test(
        arguments: [
            ([:], "skipped: the prospect has no `demo_date`, so there is no date to wait for"),
            (["demo_date": "  "], "skipped: the prospect has no `demo_date`, so there is no date to wait for"),
            (
                ["demo_date": "next week"],
                "skipped: `demo_date` is `next week`, not a date (YYYY-MM-DD or an ISO 8601 date-time)"
            ),
        ] as [([String: String], String)])
    func anUntilWaitWithoutADateIsSkippedWhereItStands(attributes: [String: String], explanation: String) throws {
        let planner = try Self.planner(
            try Self.campaign(Self.dayBefore), enrolledAt: "2027-03-01T10:00:00-05:00", attributes: attributes)
        let anchor = try Fixtures.instant("2027-03-01T10:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.isSkipped && step.due == anchor)
        #expect(step.explanations == [explanation])
    }

    @Test func theMinimumGapPushesAnEmailThenTheWindowMovesItAgain() throws {
        let campaign = try Self.campaign(
            extra: "min_gap: 2 days", #"  - { id: nudge, wait: 2 hours, email: { subject: "Hi", body: body.md } }"#)
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-06T10:00:00-05:00", gap: Wait(1, .days))
        let anchor = try Fixtures.instant("2026-11-06T10:00:00-05:00")
        let previous = try Fixtures.instant("2026-11-05T15:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: previous, now: anchor))
        let noon = try Fixtures.instant("2026-11-06T12:00:00-05:00")
        let saturday = try Fixtures.instant("2026-11-07T15:00:00-05:00")
        let monday = try Fixtures.instant("2026-11-09T08:30:00-05:00")
        #expect(step.due == monday)
        #expect(
            step.adjustments == [
                .pushedForMinimumGap(from: noon, to: saturday, previousEmail: previous, gap: Wait(2, .days)),
                .movedIntoSendWindow(from: saturday, to: monday, window: try Self.office(), holiday: nil),
            ])
        #expect(
            step.explanations == [
                "pushed from Fri 2026-11-06 12:00 to Sat 2026-11-07 15:00 to keep the minimum gap of 2 days after the "
                    + "previous email (Thu 2026-11-05 15:00)",
                "moved from Sat 2026-11-07 15:00 to Mon 2026-11-09 08:30 (outside the send window mon-fri 08:30-17:00)",
            ])
    }

    @Test func theLaterOfTheGlobalAndCampaignGapsHolds() throws {
        let campaign = try Self.campaign(
            extra: "min_gap: 1 day", #"  - { id: nudge, wait: 5 minutes, email: { subject: "Hi", body: body.md } }"#)
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-06T10:00:00-05:00", gap: Wait(1, .businessDays))
        let anchor = try Fixtures.instant("2026-11-06T10:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: anchor, now: anchor))
        #expect(step.due == (try Fixtures.instant("2026-11-09T10:00:00-05:00")))
        guard case .pushedForMinimumGap(_, _, _, let gap) = step.adjustments.first else {
            Issue.record("not pushed: \(step.explanations)")
            return
        }
        #expect(gap == Wait(1, .businessDays))
    }

    @Test func theFirstStepWithWaitZeroIsExemptFromTheGapButNotTheNextEmail() throws {
        let campaign = try Self.campaign(#"  - { id: nudge, wait: 0, email: { subject: "Hi", body: body.md } }"#)
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-10T10:00:00-05:00", gap: Wait(1, .days))
        let enrolled = try Fixtures.instant("2026-11-10T10:00:00-05:00")
        let otherCampaignsEmail = try Fixtures.instant("2026-11-10T09:55:00-05:00")
        let first = try #require(
            planner.nextStep(index: 0, anchor: enrolled, lastEmailSent: otherCampaignsEmail, now: enrolled))
        #expect(first.due == enrolled && first.adjustments == [])
        let second = try #require(planner.nextStep(index: 1, anchor: enrolled, lastEmailSent: enrolled, now: enrolled))
        #expect(second.due == (try Fixtures.instant("2026-11-11T10:00:00-05:00")))
    }

    @Test func aFirstStepThatWaitsIsNotExempt() throws {
        let campaign = try Fixtures.campaign(
            steps: #"  - { id: hello, wait: 1 hour, send_window: any, email: { subject: "Hi", body: body.md } }"#)
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-10T10:00:00-05:00", gap: Wait(1, .days))
        let enrolled = try Fixtures.instant("2026-11-10T10:00:00-05:00")
        let previous = try Fixtures.instant("2026-11-10T09:55:00-05:00")
        let step = try #require(planner.nextStep(index: 0, anchor: enrolled, lastEmailSent: previous, now: enrolled))
        #expect(step.due == (try Fixtures.instant("2026-11-11T09:55:00-05:00")))
    }

    @Test func tasksGoToTheOwnerSoTheGapDoesNotApply() throws {
        let campaign = try Self.campaign(#"  - { id: call, wait: 0, send_window: any, task: { subject: "Call" } }"#)
        let planner = try Self.planner(campaign, enrolledAt: "2026-11-10T10:00:00-05:00", gap: Wait(1, .days))
        let enrolled = try Fixtures.instant("2026-11-10T10:00:00-05:00")
        let step = try #require(planner.nextStep(index: 1, anchor: enrolled, lastEmailSent: enrolled, now: enrolled))
        #expect(step.channel == .task && step.due == enrolled && step.adjustments == [])
    }

    @Test func aProspectWhoPrefersThePhoneGetsTasksInPlaceOfEmails() throws {
        let campaign = try Self.campaign(
            """
              - { id: call, wait: 0, send_window: any, task: { subject: "Call" } }
              - { id: nudge, wait: 1 hour, email: { subject: "Hi", body: body.md } }
            """)
        let planner = try Self.planner(
            campaign, enrolledAt: "2026-11-10T10:00:00-05:00", channel: .phone, gap: Wait(1, .days))
        let enrolled = try Fixtures.instant("2026-11-10T10:00:00-05:00")
        let previous = try Fixtures.instant("2026-11-10T09:55:00-05:00")
        let plan = planner.plan(anchor: enrolled, lastEmailSent: previous, now: enrolled)
        #expect(plan.map(\.channel) == [.task, .task, .task])
        #expect(plan.map(\.due) == [enrolled, enrolled, try Fixtures.instant("2026-11-10T11:00:00-05:00")])
        #expect(plan.map(\.adjustments) == [[.turnedIntoTask], [], [.turnedIntoTask]])
        #expect(plan[0].explanations == ["sent to the owner as a task: the prospect prefers the phone"])
    }
}
