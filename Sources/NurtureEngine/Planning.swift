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
    public func planner(for campaign: Campaign, prospect: StoredProspect, enrolledAt: Date) -> StepPlanner {
        StepPlanner(
            campaign: campaign, prospectTimeZone: prospect.timeZoneValue,
            preferredChannel: prospect.preferredChannel == .phone ? .phone : .email,
            attributes: prospect.attributes, enrolledAt: enrolledAt, globalMinimumGap: minimumGap)
    }
}
