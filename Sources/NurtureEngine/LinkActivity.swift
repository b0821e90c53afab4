import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureMail
import NurtureStore

/// What prospects do with the links in our emails: unsubscribe, click.
public struct LinkActivity: Sendable {
    let store: any NurtureStore
    let catalog: CampaignCatalog
    let clock: any WallClock
    let settings: EngineSettings
    let actions: ProspectActions

    public init(store: any NurtureStore, catalog: CampaignCatalog, clock: any WallClock, settings: EngineSettings) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.settings = settings
        actions = ProspectActions(store: store, clock: clock)
    }

    /// A valid unsubscribe link was used: the address is suppressed for every campaign, for good, at once.
    /// Using it again changes nothing. Returns whether this call unsubscribed (false: it already was).
    @discardableResult
    public func unsubscribe(_ email: EmailAddress, from campaign: String, oneClick: Bool) throws -> Bool {
        guard try store.suppression(email: email) == nil else { return false }
        _ = try actions.record(
            .unsubscribe, for: email, campaignID: campaign, source: oneClick ? "one-click" : "link",
            detail: oneClick ? "List-Unsubscribe=One-Click" : "unsubscribe page")
        return true
    }

    /// What a click led to, for the caller to act on after the redirect has gone out.
    public struct ClickOutcome: Sendable {
        /// The owner should hear of it now, and why ("clicked after 41 days of silence").
        public let alert: (reason: String, prospect: StoredProspect, campaign: Campaign, step: Step)?
        /// The campaign the click enrolled the prospect in (`on_click: { enroll: ... }`).
        public let enrolled: String?
    }

    /// Records a click from a valid click link. A prospect whose sequences have ended, or who has not clicked or
    /// replied for `settings.quietAfter`, earns an owner alert; and if the clicked campaign says
    /// `on_click: { enroll: X }` and the prospect's sequence in it has ended, they are enrolled in X.
    public func click(_ click: LinkClick) throws -> ClickOutcome {
        let now = clock.now()
        guard let prospect = try store.prospect(email: click.email) else {
            return ClickOutcome(alert: nil, enrolled: nil)
        }
        let enrollments = try store.enrollments(prospectID: prospect.id)
        let live = enrollments.filter { $0.status == .active || $0.status == .paused }
        let lastHeard = try store.lastEvent(prospectID: prospect.id, kinds: [.click, .reply])?.occurredAt
        // Quiet since they last clicked or replied, or since they were enrolled if they never did.
        let since = lastHeard ?? enrollments.map(\.enrolledAt).min() ?? prospect.createdAt
        _ = try actions.record(
            .click, for: click.email, campaignID: click.campaign, stepID: click.step, source: "link",
            detail: click.url)

        let campaign = catalog.campaign(id: click.campaign)
        let step = campaign?.step(id: click.step) ?? campaign?.steps.first
        // A suppressed address asked to hear nothing more: no call, no new campaign.
        guard try store.suppression(email: click.email) == nil else { return ClickOutcome(alert: nil, enrolled: nil) }
        var reason: String?
        if live.isEmpty {
            reason = "clicked after their sequences ended"
        } else if now.timeIntervalSince(since) >= settings.quietAfter {
            let days = Int(now.timeIntervalSince(since) / 86400)
            reason = "clicked after \(days) days without a click or reply"
        }
        // `on_click` brings back someone who went through the whole sequence without answering: not someone who
        // replied, reached the goal or was stopped by hand, and never into a campaign they were already in.
        let inClicked = enrollments.filter { $0.campaignID == click.campaign }.max { $0.enrolledAt < $1.enrolledAt }
        var enrolled: String?
        if let campaign, let target = campaign.onClickEnroll, target != campaign.id, inClicked?.status == .completed,
            !enrollments.contains(where: { $0.campaignID == target }), catalog.campaign(id: target) != nil
        {
            let enroller = Enroller(store: store, catalog: catalog, clock: clock, settings: settings)
            if case .enrolled = try enroller.enroll(ProspectDraft(email: click.email), in: target).result {
                enrolled = target
            }
        }
        guard let reason, let campaign, let step else { return ClickOutcome(alert: nil, enrolled: enrolled) }
        return ClickOutcome(alert: (reason, prospect, campaign, step), enrolled: enrolled)
    }
}
