import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureInbound
import NurtureStore

/// How the engine treats mail that comes back to the reply mailbox: `nurture.yml`'s `inbox:` rules.
public struct InboxRules: Sendable, Equatable {
    /// An out-of-office ends the sequence like a reply would. Default: it is recorded and the sequence goes on.
    public var autoRepliesEndSequences = false
    /// Soft bounces (4.x.x reports) to one address before it is suppressed like a hard bounce.
    public var softBounceLimit = 3

    public init() {}
}

/// What one message from the reply mailbox was, and what was done about it.
public enum InboundOutcome: Sendable, Equatable {
    /// A person answered: recorded, their sequences ended; the owner should hear (`alert`).
    case reply(InboundAlert)
    /// An out-of-office or other automatic answer: recorded; sequences end only if the rules say so.
    case autoReply(email: EmailAddress, kind: String, endedSequences: Bool)
    /// A delivery report: hard (suppressed at once) or soft (counted; suppressed at the limit).
    case bounce(email: EmailAddress, status: String, hard: Bool, suppressed: Bool)
    /// The mailto form of List-Unsubscribe.
    case unsubscribe(email: EmailAddress)
    /// Nobody of ours: a newsletter, a stranger, a report about someone else.
    case unmatched(String)
    /// Already handled (same Message-ID), for instance when the folder is read again after UIDVALIDITY changed.
    case duplicate
    /// Not a message that could be read at all.
    case unreadable(String)

    /// Stored with the message id and logged.
    public var name: String {
        switch self {
        case .reply: "reply"
        case .autoReply: "auto_reply"
        case .bounce(_, _, let hard, _): hard ? "hard_bounce" : "soft_bounce"
        case .unsubscribe: "unsubscribe"
        case .unmatched: "unmatched"
        case .duplicate: "duplicate"
        case .unreadable: "unreadable"
        }
    }
}

/// What the owner should be told about a reply.
public struct InboundAlert: Sendable, Equatable {
    public let prospect: StoredProspect
    public let campaignID: String?
    public let stepID: String?
    /// "Dana replied to step 3 of whitepaper-followup"
    public let summary: String
    /// The first lines of what they wrote.
    public let excerpt: String
}

/// Turns each message of the reply mailbox into events: replies end sequences, auto-replies are noted, delivery
/// reports suppress bounced addresses, `unsubscribe` mails unsubscribe. Each message is handled once, by its
/// Message-ID, however often the folder is read.
public struct InboxProcessor: Sendable {
    let store: any NurtureStore
    let catalog: CampaignCatalog
    let clock: any WallClock
    let rules: InboxRules
    let actions: ProspectActions

    public init(store: any NurtureStore, catalog: CampaignCatalog, clock: any WallClock, rules: InboxRules) {
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.rules = rules
        actions = ProspectActions(store: store, clock: clock)
    }

    /// - Parameters:
    ///   - mailbox: the folder's URL, without credentials: part of the key that remembers what was read.
    ///   - uid: the message's IMAP UID, and `uidValidity` its folder's; they name a message with no Message-ID.
    public func handle(_ bytes: [UInt8], mailbox: String, uid: UInt32, uidValidity: UInt32) throws -> InboundOutcome {
        let fallbackID = "<uid-\(uidValidity)-\(uid)@\(mailbox)>"
        let message: InboundMessage
        do {
            message = try InboundMessage.parse(bytes)
        } catch {
            return try record(.unreadable("\(error)"), id: fallbackID, mailbox: mailbox, uid: uid)
        }
        let id = message.messageID ?? fallbackID
        guard try !store.inboundHandled(messageID: id) else { return .duplicate }
        return try record(try classify(message), id: id, mailbox: mailbox, uid: uid)
    }

    private func record(_ outcome: InboundOutcome, id: String, mailbox: String, uid: UInt32) throws -> InboundOutcome {
        // A message handled by another process meanwhile: what it did stands, and this answer says so.
        guard
            try store.markInboundHandled(
                messageID: id, mailbox: mailbox, uid: uid, outcome: outcome.name, at: clock.now())
        else { return .duplicate }
        return outcome
    }

    private func classify(_ message: InboundMessage) throws -> InboundOutcome {
        // A bounce is automatic mail too, so reports come first.
        if let report = message.deliveryReport { return try bounce(report) }
        // A read receipt (RFC 8098) answers our email but is not the prospect writing: noted like an auto-reply.
        let isReadReceipt =
            message.root.contentType.mimeType == "multipart/report"
            && message.root.contentType.parameters["report-type"]?.lowercased() == "disposition-notification"
        let subject = (message.subject ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if subject == "unsubscribe", let from = message.from?.address {
            _ = try actions.record(.unsubscribe, for: from, source: "mailto", detail: "an email saying unsubscribe")
            return .unsubscribe(email: from)
        }
        guard let (prospect, delivery) = try match(message) else {
            return .unmatched(
                "no prospect sent \(message.from?.address.description ?? "this") and no email of ours answered")
        }
        if let kind = message.autoReply.map({ "\($0)" }) ?? (isReadReceipt ? "read receipt" : nil) {
            let detail = kind
            let ends = rules.autoRepliesEndSequences
            _ = try store.recordEvent(
                EventDraft(
                    prospectID: prospect.id, kind: .autoReply, campaignID: delivery?.campaignID,
                    occurredAt: clock.now(), source: "imap", detail: detail, stepID: delivery?.stepID))
            if ends {
                _ = try store.endEnrollments(prospectID: prospect.id, campaignID: nil, reason: .reply, at: clock.now())
            }
            return .autoReply(email: prospect.email, kind: detail, endedSequences: ends)
        }
        let excerpt = message.replyExcerpt()
        _ = try actions.record(
            .reply, for: prospect.email, campaignID: delivery?.campaignID, stepID: delivery?.stepID, source: "imap",
            detail: excerpt.isEmpty ? nil : excerpt)
        return .reply(
            InboundAlert(
                prospect: prospect, campaignID: delivery?.campaignID, stepID: delivery?.stepID,
                summary: summary(prospect, delivery), excerpt: excerpt))
    }

    /// The email answered (by In-Reply-To, then References, newest first), else the sender's address.
    private func match(_ message: InboundMessage) throws -> (StoredProspect, Delivery?)? {
        for id in message.inReplyTo + message.references.reversed() {
            if let delivery = try store.delivery(messageID: id),
                let prospect = try store.prospect(id: delivery.prospectID)
            {
                return (prospect, delivery)
            }
        }
        guard let from = message.from?.address, let prospect = try store.prospect(email: from) else { return nil }
        return (prospect, nil)
    }

    private func summary(_ prospect: StoredProspect, _ delivery: Delivery?) -> String {
        let who = prospect.asProspect.displayName ?? prospect.email.description
        guard let delivery else { return "\(who) replied" }
        let position = catalog.campaign(id: delivery.campaignID)?.steps.firstIndex { $0.id == delivery.stepID }
        let step = position.map { "step \($0 + 1) (`\(delivery.stepID)`)" } ?? "step `\(delivery.stepID)`"
        return "\(who) replied to \(step) of \(delivery.campaignID)"
    }

    private func emailDelivery(messageID: String) throws -> Delivery? {
        try store.delivery(messageID: messageID).flatMap { $0.channel == .email ? $0 : nil }
    }

    /// A report suppresses only when it returns an email of ours to that prospect: anyone can write a report, and
    /// one that names no email we sent, or the owner's task, must not end a prospect's sequences.
    private func bounce(_ report: DeliveryStatusReport) throws -> InboundOutcome {
        guard let original = try report.originalMessageID.flatMap({ try emailDelivery(messageID: $0) }),
            let prospect = try store.prospect(id: original.prospectID)
        else { return .unmatched("a delivery report that returns no email of ours") }
        // Delay warnings are not failures: the message is still queued and may well arrive.
        for recipient in report.recipients
        where recipient.isHard || (recipient.isSoft && recipient.action != .delayed) {
            guard recipient.address.map({ $0 == prospect.email }) ?? true else { continue }
            let status = recipient.status?.description ?? (recipient.isHard ? "5.0.0" : "4.0.0")
            let detail = [status, recipient.diagnosticCode].compactMap { $0 }.joined(separator: " ")
            let now = clock.now()
            if recipient.isHard {
                _ = try actions.record(
                    .bounce, for: prospect.email, campaignID: original.campaignID, stepID: original.stepID,
                    source: "dsn", detail: detail)
                return .bounce(email: prospect.email, status: status, hard: true, suppressed: true)
            }
            _ = try store.recordEvent(
                EventDraft(
                    prospectID: prospect.id, kind: .softBounce, campaignID: original.campaignID, occurredAt: now,
                    source: "dsn", detail: detail, stepID: original.stepID))
            let count = try store.eventCount(prospectID: prospect.id, kind: .softBounce)
            guard count >= rules.softBounceLimit else {
                return .bounce(email: prospect.email, status: status, hard: false, suppressed: false)
            }
            _ = try actions.record(
                .bounce, for: prospect.email, campaignID: original.campaignID, source: "dsn",
                detail: "\(count) soft bounces, the last \(detail)")
            return .bounce(email: prospect.email, status: status, hard: false, suppressed: true)
        }
        return .unmatched("a delivery report with no failure for \(prospect.email) (a delay warning, say)")
    }
}
