import Foundation
import NurtureCampaigns
import NurtureStore
import NurtureTimeline

extension StoredProspect {
    /// The prospect as campaigns and templates see it.
    public var asProspect: Prospect { Prospect(email: email, attributes: attributes) }

    var timeZoneValue: TimeZone? { timeZone.flatMap(TimeZone.init(identifier:)) }
}

extension EngineSettings {
    /// The planner for one prospect in one campaign, with the engine's global gap.
    /// - Parameter clickedSteps: the steps of this enrollment whose links the prospect clicked (`skip_if: clicked`).
    public func planner(
        for campaign: Campaign, prospect: StoredProspect, enrolledAt: Date, clickedSteps: Set<String> = []
    ) -> StepPlanner {
        var planner = StepPlanner(
            campaign: campaign, prospectTimeZone: prospect.timeZoneValue,
            preferredChannel: prospect.preferredChannel == .phone ? .phone : .email,
            attributes: prospect.attributes, enrolledAt: enrolledAt, globalMinimumGap: minimumGap)
        planner.clickedSteps = clickedSteps
        return planner
    }

    /// The planner for a stored enrollment, with what the prospect clicked in it so far.
    public func planner(
        for campaign: Campaign, prospect: StoredProspect, enrollment: Enrollment, store: any NurtureStore
    )
        throws -> StepPlanner
    {
        // A query per step sent, for campaigns that never ask.
        let clicked =
            campaign.hasClickConditions
            ? try store.clickedSteps(prospectID: prospect.id, campaignID: campaign.id, since: enrollment.enrolledAt)
            : []
        return planner(for: campaign, prospect: prospect, enrolledAt: enrollment.enrolledAt, clickedSteps: clicked)
    }
}

extension StepPlanner {
    /// An enrollment's due step as the scheduler sends it: planned again when it wakes at the stored due time
    /// (at once, if that has passed), from the previous step, with the prospect's last email for the gap. The
    /// one rule the scheduler, `nurture timeline` and `nurture forecast` share.
    public func dueStep(_ due: DueSend, at index: Int, of enrollment: Enrollment, lastEmailSent: Date?, now: Date)
        -> PlannedStep?
    {
        nextStep(
            index: index, anchor: enrollment.lastStepAt ?? enrollment.enrolledAt, lastEmailSent: lastEmailSent,
            now: max(now, due.dueAt))
    }
}
