import Foundation
import NurtureCore
import NurtureStore

/// What recording an event did.
public struct EventOutcome: Sendable {
    public let event: ProspectEvent
    /// The sequences it ended.
    public let ended: [Enrollment]
    public let suppressed: Bool
}

/// What prospects do and what people decide about them: replies, unsubscribes, bounces, clicks, goals, stops.
public struct ProspectActions: Sendable {
    let store: any NurtureStore
    let clock: any WallClock

    public init(store: any NurtureStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Records the event and applies its rule at once: a reply or a goal ends the prospect's sequences (a goal
    /// only the named campaign's, when one is named); an unsubscribe or a bounce ends every sequence and
    /// suppresses the address for good, even one never enrolled; a click just counts.
    public func record(
        _ kind: EventKind, for email: EmailAddress, campaignID: String? = nil, stepID: String? = nil, source: String,
        detail: String? = nil
    ) throws -> EventOutcome {
        let now = clock.now()
        let prospect = try store.prospect(email: email) ?? store.saveProspect(ProspectDraft(email: email), at: now)
        let event = try store.recordEvent(
            EventDraft(
                prospectID: prospect.id, kind: kind, campaignID: campaignID, occurredAt: now, source: source,
                detail: detail, stepID: stepID))
        if kind.suppressesForGood {
            try store.suppress(email, reason: kind.rawValue, source: source, at: now)
        }
        guard kind.endsSequences, let reason = StopReason(rawValue: kind.rawValue) else {
            return EventOutcome(event: event, ended: [], suppressed: false)
        }
        let scope = kind == .goal ? campaignID : nil
        let ended = try store.endEnrollments(prospectID: prospect.id, campaignID: scope, reason: reason, at: now)
        return EventOutcome(event: event, ended: ended, suppressed: kind.suppressesForGood)
    }

    /// Ends a prospect's sequences by hand (in one campaign, or all).
    public func stop(_ email: EmailAddress, campaignID: String?) throws -> [Enrollment] {
        guard let prospect = try store.prospect(email: email) else { return [] }
        return try store.endEnrollments(
            prospectID: prospect.id, campaignID: campaignID, reason: .manual, at: clock.now())
    }
}
