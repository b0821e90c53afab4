import Foundation
import NurtureCore

public typealias ProspectID = Int64
public typealias EnrollmentID = Int64
public typealias DeliveryID = Int64

/// How a prospect wants to be reached: `phone` turns email steps into owner tasks.
public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    case email, phone
}

/// What the website, a CSV row or the CLI says about a prospect; saved by email, merging attributes.
public struct ProspectDraft: Sendable, Hashable {
    public var email: EmailAddress
    public var attributes: [String: String]
    /// An IANA zone; nil keeps what is stored (or leaves the campaign's zone to apply).
    public var timeZone: String?
    /// Nil keeps what is stored (email for a new prospect).
    public var preferredChannel: Channel?

    public init(
        email: EmailAddress, attributes: [String: String] = [:], timeZone: String? = nil,
        preferredChannel: Channel? = nil
    ) {
        self.email = email
        self.attributes = attributes
        self.timeZone = timeZone
        self.preferredChannel = preferredChannel
    }
}

public struct StoredProspect: Sendable, Hashable {
    public let id: ProspectID
    public let email: EmailAddress
    public var attributes: [String: String]
    public var timeZone: String?
    public var preferredChannel: Channel
    public let createdAt: Date
}

public enum EnrollmentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Steps go out as they fall due.
    case active
    /// Waiting while a higher-priority campaign runs for the same prospect.
    case paused
    /// Every step went out (or was skipped).
    case completed
    /// Ended early; `stopReason` says why.
    case stopped

    public var isLive: Bool { self == .active || self == .paused }
}

/// Why a sequence ended before its last step.
public enum StopReason: String, Sendable, Hashable, Codable, CaseIterable {
    case reply, unsubscribe, bounce, goal
    /// `nurture stop`.
    case manual
    /// Enrolled again with `--restart`.
    case restarted
    /// Retries ran out on a temporary failure.
    case deliveryFailed = "delivery_failed"
    /// The address was put on the suppression list (imported, say).
    case suppressed
    /// The campaign file is gone.
    case campaignRemoved = "campaign_removed"
}

public struct Enrollment: Sendable, Hashable {
    public let id: EnrollmentID
    public let prospectID: ProspectID
    public let campaignID: String
    public var status: EnrollmentStatus
    public var stopReason: StopReason?
    public let enrolledAt: Date
    public var endedAt: Date?
    /// The step this enrollment waits for; nil once it has ended.
    public var nextStepID: String?
    /// The last step that went out (or was skipped), and when: the anchor of the next `wait`.
    public var lastStepID: String?
    public var lastStepAt: Date?
}

/// The one pending step of an active or paused enrollment.
public struct DueSend: Sendable, Hashable {
    public let enrollmentID: EnrollmentID
    public let stepID: String
    public let dueAt: Date
    /// Attempts already made at this step (0 before the first).
    public let attempt: Int

    public init(enrollmentID: EnrollmentID, stepID: String, dueAt: Date, attempt: Int = 0) {
        self.enrollmentID = enrollmentID
        self.stepID = stepID
        self.dueAt = dueAt
        self.attempt = attempt
    }
}

public enum DeliveryOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded before SMTP; replaced by the outcome after.
    case inFlight = "in_flight"
    case delivered
    /// 4xx, connection, TLS or timeout: will be retried.
    case transientFailure = "transient"
    /// 5xx to the recipient or the message: a bounce.
    case permanentFailure = "permanent"
    /// Retries ran out.
    case failed
    /// In flight when the engine stopped: it may or may not have gone out, so it is not resent.
    case uncertain
    /// Not sent on purpose (too late, campaign step gone); `note` says why.
    case skipped
}

/// One attempt at a step, or a skipped step.
public struct Delivery: Sendable, Hashable {
    public let id: DeliveryID
    public let enrollmentID: EnrollmentID
    public let prospectID: ProspectID
    public let campaignID: String
    public let stepID: String
    public let attempt: Int
    public let channel: Channel
    public let recipient: String
    public let startedAt: Date
    public var finishedAt: Date?
    public var outcome: DeliveryOutcome
    public var smtpCode: Int?
    public var smtpText: String?
    public var messageID: String?
    public var subject: String?
    public var note: String?
}

/// What is known before an attempt starts.
public struct DeliveryStart: Sendable, Hashable {
    public var enrollmentID: EnrollmentID
    public var stepID: String
    public var attempt: Int
    /// `.phone` for a task email to the owner.
    public var channel: Channel
    public var recipient: String
    public var messageID: String?
    public var subject: String?
    public var startedAt: Date

    public init(
        enrollmentID: EnrollmentID, stepID: String, attempt: Int, channel: Channel, recipient: String,
        messageID: String?, subject: String?, startedAt: Date
    ) {
        self.enrollmentID = enrollmentID
        self.stepID = stepID
        self.attempt = attempt
        self.channel = channel
        self.recipient = recipient
        self.messageID = messageID
        self.subject = subject
        self.startedAt = startedAt
    }
}

/// How an attempt ended, as the transport reported it.
public struct DeliveryResultRecord: Sendable, Hashable {
    public var outcome: DeliveryOutcome
    public var smtpCode: Int?
    public var smtpText: String?
    public var note: String?
    /// When the SMTP transaction began, if it did: replaces the start recorded with the attempt, which may be
    /// its planned instant (a step composed ahead) rather than the moment it went out.
    public var startedAt: Date?
    public var finishedAt: Date

    public init(
        outcome: DeliveryOutcome, smtpCode: Int? = nil, smtpText: String? = nil, note: String? = nil,
        startedAt: Date? = nil, finishedAt: Date
    ) {
        self.outcome = outcome
        self.smtpCode = smtpCode
        self.smtpText = smtpText
        self.note = note
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// What happens to the enrollment after a step is finished or skipped, decided by the engine.
public enum NextAction: Sendable, Hashable {
    /// Wait for `stepID` at `dueAt`.
    case schedule(stepID: String, dueAt: Date)
    /// Try the same step again at `dueAt` (attempt number `attempt`).
    case retry(dueAt: Date, attempt: Int)
    /// That was the last step.
    case complete
    /// End the sequence.
    case stop(StopReason)
}

public enum EventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case reply, unsubscribe, bounce, click, goal
    /// An out-of-office or other automatic answer: recorded, ends nothing unless configured to.
    case autoReply = "auto_reply"
    /// A 4.x.x delivery report: counted; enough of them suppress the address.
    case softBounce = "soft_bounce"
    /// The engine told the campaign's owner about the prospect (a click after a quiet spell, a reply).
    case ownerAlert = "owner_alert"

    /// What a person or a system outside Nurture can report (`nurture event`, `POST /v1/events`).
    public static let reportable: [EventKind] = [.reply, .unsubscribe, .bounce, .click, .goal]

    /// Reply, unsubscribe, bounce and goal end sequences; unsubscribe and bounce every campaign, for good.
    public var endsSequences: Bool { [.reply, .unsubscribe, .bounce, .goal].contains(self) }
    public var suppressesForGood: Bool { self == .unsubscribe || self == .bounce }
}

/// Where the reply-mailbox poller stopped reading a folder.
public struct MailboxPosition: Sendable, Hashable {
    public var uidValidity: UInt32
    public var lastUID: UInt32

    public init(uidValidity: UInt32, lastUID: UInt32) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
    }
}

public struct EventDraft: Sendable, Hashable {
    public var prospectID: ProspectID
    public var kind: EventKind
    /// The campaign it concerns, when known (a reply to step 3 of X).
    public var campaignID: String?
    public var occurredAt: Date
    /// `cli`, `api`, `smtp`, `imap`, `link`...
    public var source: String
    public var detail: String?
    /// The step it concerns, when known: the step whose link was clicked, the email replied to.
    public var stepID: String?

    public init(
        prospectID: ProspectID, kind: EventKind, campaignID: String? = nil, occurredAt: Date,
        source: String, detail: String? = nil, stepID: String? = nil
    ) {
        self.prospectID = prospectID
        self.kind = kind
        self.campaignID = campaignID
        self.occurredAt = occurredAt
        self.source = source
        self.detail = detail
        self.stepID = stepID
    }
}

public struct ProspectEvent: Sendable, Hashable {
    public let id: Int64
    public let prospectID: ProspectID
    public let kind: EventKind
    public let campaignID: String?
    public let occurredAt: Date
    public let source: String
    public let detail: String?
    public let stepID: String?
}

public struct Suppression: Sendable, Hashable {
    public let email: EmailAddress
    public let reason: String
    public let since: Date
    public let source: String
}

/// Asks to put a prospect into a campaign; the store applies the enrollment rules atomically.
public struct EnrollmentRequest: Sendable, Hashable {
    public var prospectID: ProspectID
    public var campaignID: String
    public var priority: Int
    /// The campaign may run alongside the prospect's other campaigns.
    public var concurrent: Bool
    /// End an enrollment already live in this campaign and start again.
    public var restart: Bool
    public var firstStepID: String
    public var firstDueAt: Date
    public var at: Date

    public init(
        prospectID: ProspectID, campaignID: String, priority: Int, concurrent: Bool, restart: Bool,
        firstStepID: String, firstDueAt: Date, at: Date
    ) {
        self.prospectID = prospectID
        self.campaignID = campaignID
        self.priority = priority
        self.concurrent = concurrent
        self.restart = restart
        self.firstStepID = firstStepID
        self.firstDueAt = firstDueAt
        self.at = at
    }
}

/// Prospects for `importProspects`, with the JSON text SQLite reads them from (`SQLiteStore.encode`): built
/// where the file is read, so an import sorts and encodes on one core while the store writes on the other.
public struct ProspectBatch: Sendable {
    public let drafts: [ProspectDraft]
    let json: String
    /// Each draft's place in `json`, which lists them by address.
    let places: [Int]

    public init(_ drafts: [ProspectDraft]) {
        self.drafts = drafts
        (json, places) = SQLiteStore.encode(drafts)
    }
}

/// The campaign an import enrolls into, as the enrollment rules need it.
public struct ImportTarget: Sendable, Hashable {
    public var campaignID: String
    public var priority: Int
    public var concurrent: Bool
    public var firstStepID: String
    /// End enrollments already live in this campaign and start again.
    public var restart: Bool

    public init(campaignID: String, priority: Int, concurrent: Bool, firstStepID: String, restart: Bool) {
        self.campaignID = campaignID
        self.priority = priority
        self.concurrent = concurrent
        self.firstStepID = firstStepID
        self.restart = restart
    }
}

public enum EnrollmentResult: Sendable, Hashable {
    /// Enrolled; `paused` lists lower-priority enrollments it paused. The new one is itself `.paused` when a
    /// campaign of higher or equal priority is already running for the prospect.
    case enrolled(Enrollment, paused: [Enrollment])
    case alreadyActive(Enrollment)
    case suppressed(Suppression)
}

/// Counts for `nurture status`.
public struct StoreSummary: Sendable, Hashable, Codable {
    public var prospects: Int
    public var enrollmentsByStatus: [String: Int]
    /// Due sends of active enrollments due at or before `now`.
    public var dueNow: Int
    /// Due sends of active enrollments after `now`.
    public var pending: Int
    /// The earliest unclaimed due send of an active enrollment (what `nextDueTime()` returns).
    public var nextDueAt: Date?
    /// Attempts in flight when the engine stopped: they may or may not have gone out, and are not resent.
    public var uncertainDeliveries: Int
    /// Attempts that ended for good without going out: refused by the server (permanent) or out of retries.
    public var failedDeliveries: Int
    /// Suppressed addresses.
    public var suppressed: Int
}
