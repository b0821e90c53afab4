import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureStore
import NurtureTimeline

/// Why a prospect could not be enrolled at all (the store's own refusals are `EnrollmentResult` cases).
public struct EnrollError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// What enrolling one prospect did.
public struct EnrollOutcome: Sendable {
    public let prospect: StoredProspect
    public let result: EnrollmentResult
    /// When the first step will go out, as planned now (the engine plans again when it falls due).
    public let firstStep: PlannedStep?
}

/// Puts prospects into campaigns: saves the prospect, plans the first step and lets the store apply the rules.
public struct Enroller: Sendable {
    let store: any NurtureStore
    let catalog: CampaignCatalog
    let clock: any WallClock
    let settings: EngineSettings

    public init(store: any NurtureStore, catalog: CampaignCatalog, clock: any WallClock, settings: EngineSettings) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.settings = settings
    }

    public func campaign(_ id: String) throws(EnrollError) -> Campaign {
        if let campaign = catalog.campaign(id: id) { return campaign }
        let known = catalog.campaigns.campaigns.map(\.id)
        let hint = Suggestions.closest(to: id, in: known).map { "; did you mean `\($0)`?" } ?? ""
        throw EnrollError(description: "no campaign `\(id)`\(hint)")
    }

    public func enroll(_ draft: ProspectDraft, in campaignID: String, restart: Bool = false) throws -> EnrollOutcome {
        let campaign = try campaign(campaignID)
        try Self.check(draft)
        let now = clock.now()
        let prospect = try store.saveProspect(draft, at: now)
        let (request, first) = try request(for: prospect, in: campaign, restart: restart, at: now)
        return EnrollOutcome(prospect: prospect, result: try store.enroll(request), firstStep: first)
    }

    /// Many prospects into one campaign, in one transaction: for `nurture import`. The first step is planned once
    /// per kind of prospect (zone, channel) when nothing about the prospect can change it.
    public func enroll(_ batch: ProspectBatch, in campaign: Campaign, restart: Bool = false) throws
        -> [EnrollmentResult]
    {
        let now = clock.now()
        let target = ImportTarget(
            campaignID: campaign.id, priority: campaign.priority, concurrent: campaign.concurrent,
            firstStepID: campaign.steps[0].id, restart: restart)
        let first = campaign.steps[0]
        let sameForAll = first.dependsOnlyOnZoneAndChannel
        var planned: [FirstStepKey: Date] = [:]
        return try store.importProspects(batch, into: target, at: now) { prospect, lastEmailSent in
            let key = FirstStepKey(zone: prospect.timeZone, channel: prospect.preferredChannel)
            if lastEmailSent == nil, sameForAll, let due = planned[key] { return due }
            let planner = settings.planner(for: campaign, prospect: prospect, enrolledAt: now)
            let due = planner.nextStep(index: 0, anchor: now, lastEmailSent: lastEmailSent, now: now)?.due ?? now
            if lastEmailSent == nil, sameForAll { planned[key] = due }
            return due
        }
    }

    private struct FirstStepKey: Hashable {
        let zone: String?
        let channel: Channel
    }

    /// Refuses what would only fail later: a time zone tzdata does not know.
    public static func check(_ draft: ProspectDraft) throws(EnrollError) {
        if let name = draft.timeZone { _ = try timeZone(named: name) }
    }

    /// A prospect's zone by its IANA name, or an error that says how to write one.
    public static func timeZone(named name: String) throws(EnrollError) -> TimeZone {
        guard let zone = TimeZone(identifier: name) else {
            let hint = Suggestions.closest(to: name, in: TimeZone.knownTimeZoneIdentifiers).map {
                "; did you mean `\($0)`?"
            }
            throw EnrollError(
                description: "unknown time zone `\(name)`" + (hint ?? "; use an IANA name like `Europe/Berlin`"))
        }
        return zone
    }

    private func request(for prospect: StoredProspect, in campaign: Campaign, restart: Bool, at now: Date) throws
        -> (EnrollmentRequest, PlannedStep?)
    {
        let planner = settings.planner(for: campaign, prospect: prospect, enrolledAt: now)
        let lastEmail = try store.lastEmailSent(prospectID: prospect.id)
        let first = planner.nextStep(index: 0, anchor: now, lastEmailSent: lastEmail, now: now)
        let request = EnrollmentRequest(
            prospectID: prospect.id, campaignID: campaign.id, priority: campaign.priority,
            concurrent: campaign.concurrent, restart: restart, firstStepID: campaign.steps[0].id,
            firstDueAt: first?.due ?? now, at: now)
        return (request, first)
    }
}
