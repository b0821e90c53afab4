import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `StepPlanner.plan`: every remaining step, assuming no reply, as `nurture plan` shows it.
struct PlanTests {
    /// The shipped web-lead follow-up for a prospect in Kolkata who downloads the guide on Friday
    /// 2026-11-20 at 19:45 local time. The campaign's window (mon-fri 08:30-17:00) and holidays (2026-11-26 among
    /// them) count in Kolkata, not in the campaign's New York.
    @Test func theWebLeadFollowUpForAProspectInKolkataEnrolledOnFridayEvening() throws {
        let campaign = try Fixtures.sampleCampaign("web-lead-followup")
        let enrolled = try Fixtures.instant("2026-11-20T19:45:00+05:30")
        let planner = StepPlanner(
            campaign: campaign, prospectTimeZone: try Fixtures.zone("Asia/Kolkata"), enrolledAt: enrolled,
            globalMinimumGap: Wait(1, .days))
        let plan = planner.plan(anchor: enrolled, lastEmailSent: nil, now: enrolled)

        #expect(plan.map(\.stepID) == ["thanks", "call-now", "value", "case-study", "linkedin", "check-in", "breakup"])
        #expect(plan.map(\.index) == Array(0..<7))
        #expect(plan.map(\.channel) == [.email, .task, .email, .email, .task, .email, .email])
        let expected = [
            "2026-11-20T19:45:00+05:30",  // thanks: at once, any time
            "2026-11-20T19:45:00+05:30",  // call-now: at once, any time
            "2026-11-30T08:30:00+05:30",  // value: 4 business days skipping Thu 26th lands Fri 27th 19:45, after hours
            "2026-12-04T08:30:00+05:30",  // case-study: 4 business days
            "2026-12-08T08:30:00+05:30",  // linkedin: 2 business days
            "2026-12-14T08:30:00+05:30",  // check-in: 4 business days, over a weekend
            "2026-12-21T08:30:00+05:30",  // breakup: a week
        ]
        #expect(plan.map(\.due) == (try expected.map(Fixtures.instant)))
        #expect(
            plan.map(\.explanations) == [
                [], [],
                [
                    "moved from Fri 2026-11-27 19:45 to Mon 2026-11-30 08:30 "
                        + "(outside the send window mon-fri 08:30-17:00)"
                ],
                [], [], [], [],
            ])
        #expect(plan.allSatisfy { !$0.isSkipped })
    }

    @Test func eachPlannedEmailIsTheLastEmailForTheNextOnesGap() throws {
        let campaign = try Fixtures.campaign(
            extra: "min_gap: 1 day",
            steps: """
                  - { id: a, wait: 0, send_window: any, email: { subject: "A", body: body.md } }
                  - { id: b, wait: 1 hour, email: { subject: "B", body: body.md } }
                  - { id: c, wait: 1 hour, email: { subject: "C", body: body.md } }
                """)
        let enrolled = try Fixtures.instant("2026-11-10T10:00:00-05:00")
        let planner = StepPlanner(campaign: campaign, prospectTimeZone: nil, enrolledAt: enrolled)
        let plan = planner.plan(anchor: enrolled, lastEmailSent: nil, now: enrolled)
        let expected = ["2026-11-10T10:00:00-05:00", "2026-11-11T10:00:00-05:00", "2026-11-12T10:00:00-05:00"]
        #expect(plan.map(\.due) == (try expected.map(Fixtures.instant)))
    }

    @Test func aPlanAcrossSpringForwardKeepsTheWallClockTime() throws {
        let campaign = try Fixtures.campaign(
            steps: """
                  - { id: a, wait: 0, email: { subject: "A", body: body.md } }
                  - { id: b, wait: 1 week, email: { subject: "B", body: body.md } }
                  - { id: c, wait: 3 business days, email: { subject: "C", body: body.md } }
                """)
        for (zone, enrolled, expected) in [
            (
                "America/New_York", "2027-03-08T10:00:00-05:00",
                ["2027-03-15T10:00:00-04:00", "2027-03-18T10:00:00-04:00"]
            ),
            ("Europe/Berlin", "2027-03-22T10:00:00+01:00", ["2027-03-29T10:00:00+02:00", "2027-04-01T10:00:00+02:00"]),
        ] {
            let start = try Fixtures.instant(enrolled)
            let planner = StepPlanner(campaign: campaign, prospectTimeZone: try Fixtures.zone(zone), enrolledAt: start)
            let plan = planner.plan(anchor: start, lastEmailSent: nil, now: start)
            #expect(plan.map(\.due) == (try ([enrolled] + expected).map(Fixtures.instant)), "\(zone)")
        }
    }

    @Test func planningStartsAtTheGivenStepAndEndsWithTheCampaign() throws {
        let campaign = try Fixtures.sampleCampaign("web-lead-followup")
        let start = try Fixtures.instant("2026-11-16T09:00:00-05:00")
        let planner = StepPlanner(campaign: campaign, prospectTimeZone: nil, enrolledAt: start)
        #expect(
            planner.plan(from: 5, anchor: start, lastEmailSent: nil, now: start).map(\.stepID) == [
                "check-in", "breakup",
            ])
        #expect(planner.plan(from: 7, anchor: start, lastEmailSent: nil, now: start).isEmpty)
        #expect(planner.plan(from: 99, anchor: start, lastEmailSent: nil, now: start).isEmpty)
        #expect(planner.plan(from: -1, anchor: start, lastEmailSent: nil, now: start).isEmpty)
        #expect(planner.nextStep(index: 7, anchor: start, lastEmailSent: nil, now: start) == nil)
    }
}
