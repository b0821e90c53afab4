import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// Steps whose time has passed: the daemon was down, or an `until` date was already behind. They go out as soon
/// as the window and the gap allow, unless the campaign's `max_lateness` says they are stale.
struct LatenessTests {
    static let followUp = #"  - { id: follow-up, wait: 1 day, email: { subject: "Hi", body: body.md } }"#

    /// The follow-up is due Friday 2026-11-06 10:00 New York time, a day after the thank-you.
    static func followUp(at now: String, maxLateness: String? = nil) throws -> PlannedStep {
        let campaign = try StepPlannerTests.campaign(extra: maxLateness.map { "max_lateness: \($0)" } ?? "", followUp)
        let planner = try StepPlannerTests.planner(campaign, enrolledAt: "2026-11-05T10:00:00-05:00")
        let anchor = try Fixtures.instant("2026-11-05T10:00:00-05:00")
        return try #require(
            planner.nextStep(index: 1, anchor: anchor, lastEmailSent: anchor, now: try Fixtures.instant(now)))
    }

    @Test func aStepLaterThanMaxLatenessIsSkippedWhenNoticed() throws {
        let step = try Self.followUp(at: "2026-11-07T12:00:00-05:00", maxLateness: "1 day")
        let due = try Fixtures.instant("2026-11-06T10:00:00-05:00")
        let monday = try Fixtures.instant("2026-11-09T08:30:00-05:00")
        #expect(step.isSkipped)
        #expect(step.due == (try Fixtures.instant("2026-11-07T12:00:00-05:00")))
        #expect(step.adjustments == [.skippedAsTooLate(due: due, wouldSendAt: monday, maxLateness: Wait(1, .days))])
        #expect(
            step.explanations == [
                "skipped: it would go out at Mon 2026-11-09 08:30, more than max_lateness (1 day) after it was due "
                    + "(Fri 2026-11-06 10:00)"
            ])
    }

    @Test func aStepLateByLessThanMaxLatenessGoesOutNowAndSaysItIsOverdue() throws {
        let step = try Self.followUp(at: "2026-11-06T15:00:00-05:00", maxLateness: "1 day")
        let due = try Fixtures.instant("2026-11-06T10:00:00-05:00")
        let now = try Fixtures.instant("2026-11-06T15:00:00-05:00")
        #expect(!step.isSkipped && step.due == now)
        #expect(step.adjustments == [.overdue(due: due, sendingAt: now)])
        #expect(step.explanations == ["overdue since Fri 2026-11-06 10:00; goes out at Fri 2026-11-06 15:00"])
    }

    @Test func withoutMaxLatenessALateStepStillWaitsForItsWindow() throws {
        let step = try Self.followUp(at: "2026-11-07T12:00:00-05:00")
        let monday = try Fixtures.instant("2026-11-09T08:30:00-05:00")
        #expect(!step.isSkipped && step.due == monday)
        #expect(
            step.explanations == [
                "overdue since Fri 2026-11-06 10:00; goes out at Mon 2026-11-09 08:30",
                "moved from Sat 2026-11-07 12:00 to Mon 2026-11-09 08:30 (outside the send window mon-fri 08:30-17:00)",
            ])
    }

    @Test func aSchedulerWakingSecondsLateIsNotWorthExplaining() throws {
        let step = try Self.followUp(at: "2026-11-06T10:00:02-05:00", maxLateness: "1 hour")
        #expect(step.due == (try Fixtures.instant("2026-11-06T10:00:02-05:00")))
        #expect(step.adjustments == [])
    }

    @Test func aStepNotYetDueKeepsItsTime() throws {
        let step = try Self.followUp(at: "2026-11-06T09:00:00-05:00")
        #expect(step.due == (try Fixtures.instant("2026-11-06T10:00:00-05:00")) && step.adjustments == [])
    }

    @Test func anUntilDateAlreadyPastIsSkippedUnderMaxLateness() throws {
        let campaign = try StepPlannerTests.campaign(extra: "max_lateness: 2 hours", StepPlannerTests.dayBefore)
        let anchor = try Fixtures.instant("2027-03-01T13:00:00-05:00")
        let planner = try StepPlannerTests.planner(
            campaign, enrolledAt: "2027-03-01T13:00:00-05:00", attributes: ["demo_date": "2027-03-01T09:00:00-05:00"])
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(step.isSkipped && step.due == anchor)
        #expect(
            step.adjustments.last
                == .skippedAsTooLate(
                    due: try Fixtures.instant("2027-03-01T08:30:00-05:00"), wouldSendAt: anchor,
                    maxLateness: Wait(2, .hours)))
    }

    @Test func anUntilDateAlreadyPastGoesOutAtOnceWithoutMaxLateness() throws {
        let campaign = try StepPlannerTests.campaign(StepPlannerTests.dayBefore)
        let anchor = try Fixtures.instant("2027-03-01T13:00:00-05:00")
        let planner = try StepPlannerTests.planner(
            campaign, enrolledAt: "2027-03-01T13:00:00-05:00", attributes: ["demo_date": "2027-03-01T09:00:00-05:00"])
        let step = try #require(planner.nextStep(index: 1, anchor: anchor, lastEmailSent: nil, now: anchor))
        #expect(!step.isSkipped && step.due == anchor)
    }
}
