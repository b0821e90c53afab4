import Foundation
import NurtureCampaigns

/// How a prospect wants to be reached. `phone` turns every email step into a task for the owner.
public enum PreferredChannel: String, Sendable, Hashable, CaseIterable {
    case email, phone
}

/// When and how one step of a campaign goes to one prospect, and why.
public struct PlannedStep: Sendable, Hashable {
    /// How the step goes out: an email to the prospect, or a task emailed to the owner.
    public enum Channel: String, Sendable, Hashable {
        case email, task
    }

    /// The step's position in the campaign.
    public let index: Int
    public let stepID: String
    public let channel: Channel
    /// The exact instant the step goes out; for a skipped step, the instant the skip takes effect. Either way the
    /// next step counts its wait from here.
    public let due: Date
    /// Every move, change and skip, in the order they were applied.
    public let adjustments: [TimelineAdjustment]
    /// The calendar the times were worked out in: the prospect's zone and the campaign's holidays.
    public let calendar: ProspectCalendar

    public init(
        index: Int, stepID: String, channel: Channel, due: Date, adjustments: [TimelineAdjustment],
        calendar: ProspectCalendar
    ) {
        self.index = index
        self.stepID = stepID
        self.channel = channel
        self.due = due
        self.adjustments = adjustments
        self.calendar = calendar
    }

    /// Not sent: too late for `max_lateness`, or no date to wait for.
    public var isSkipped: Bool { adjustments.contains(where: \.skipsTheStep) }

    /// The adjustments in plain English, times on the prospect's clocks.
    public var explanations: [String] { adjustments.map { $0.explanation(in: calendar) } }
}
