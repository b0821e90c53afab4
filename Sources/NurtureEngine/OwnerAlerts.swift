import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureSMTP
import NurtureStore

/// Tells a campaign's owner about a prospect at once (a click after a quiet spell, a reply), at most once per
/// `EngineSettings.alertInterval` per prospect (a reply always), and records each alert sent as an `owner_alert`
/// event (with what the SMTP server said), so `nurture timeline` shows it.
public struct OwnerAlerts: Sendable {
    let store: any NurtureStore
    let clock: any WallClock
    let settings: EngineSettings
    let composer: StepComposer
    let transport: any MailTransport

    public init(
        store: any NurtureStore, clock: any WallClock, settings: EngineSettings, composer: StepComposer,
        transport: any MailTransport
    ) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.composer = composer
        self.transport = transport
    }

    /// What became of one alert.
    public enum Outcome: Sendable, Equatable {
        case sent(SMTPReply)
        /// The prospect had an alert less than `alertInterval` ago.
        case rateLimited(since: Date)
        case failed(String)
    }

    /// - Parameters:
    ///   - step: the step the alert is about (the clicked email, the one replied to); its campaign's owner is told.
    ///   - why: one line for the event's detail and the log: "clicked after 41 days of silence".
    ///   - urgent: a reply: never held back by the rate limit (a click an hour earlier must not swallow it).
    @discardableResult
    public func alert(
        _ subject: String, text: String, about prospect: StoredProspect, step: Step, of campaign: Campaign,
        why: String, urgent: Bool = false
    ) throws -> Outcome {
        let now = clock.now()
        if !urgent, let last = try store.lastEvent(prospectID: prospect.id, kinds: [.ownerAlert]),
            now.timeIntervalSince(last.occurredAt) < settings.alertInterval
        {
            return .rateLimited(since: last.occurredAt)
        }
        let outcome: Outcome
        do {
            let notice = try composer.ownerNotice(
                subject, text: text, step: step, of: campaign, for: prospect.asProspect)
            let message = notice.message
            switch transport.send(message.bytes, from: message.envelopeFrom, to: message.envelopeTo) {
            case .delivered(let reply): outcome = .sent(reply)
            case .transientFailure(let failure), .permanentFailure(let failure): outcome = .failed("\(failure)")
            }
        } catch {
            outcome = .failed("\(error)")
        }
        // Only an alert that went out is recorded (and counts for the rate limit); a failed one is the caller's to
        // log, and the next event may alert again.
        if case .sent(let reply) = outcome {
            _ = try store.recordEvent(
                EventDraft(
                    prospectID: prospect.id, kind: .ownerAlert, campaignID: campaign.id, occurredAt: now,
                    source: "engine", detail: "\(why); sent to \(campaign.owner.address): \(reply.code)"))
        }
        return outcome
    }
}
