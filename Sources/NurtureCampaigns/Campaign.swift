import NurtureCore

/// A drip campaign, as read and checked from its YAML file.
public struct Campaign: Sendable, Identifiable {
    public let id: String
    public let name: String
    public let from: Mailbox
    public let replyTo: Mailbox?
    /// The rep: receives task steps and alerts.
    public let owner: Mailbox
    /// The IANA zone used for a prospect who has none.
    public let timeZoneIdentifier: String
    public let sendWindow: SendWindow
    public let holidays: Set<LocalDate>
    /// Template fallbacks: `first_name: there` turns `Hi {{first_name}}` into `Hi there` for a prospect with no name.
    public let defaults: [String: String]
    /// Higher wins: enrolling into a higher-priority campaign pauses a lower one.
    public let priority: Int
    /// When true the prospect may be in this campaign alongside others.
    public let concurrent: Bool
    /// `max_lateness: 1 day`: a step that would go out later than this after its time (the daemon was down, say)
    /// is skipped rather than sent stale. Nil: late steps still go out.
    public let maxLateness: Wait?
    /// `min_gap: 2 days`: the least time between two emails to one prospect that this campaign asks for; the
    /// larger of it and the global gap holds.
    public let minimumGap: Wait?
    public let steps: [Step]
    /// `on_click: { enroll: re-engage }`: a click from a prospect whose sequence in this campaign has ended
    /// enrolls them in that campaign.
    public let onClickEnroll: String?
    /// Where `on_click.enroll` is written, for the check that its campaign exists.
    let onClickLocation: SourceLocation?
    /// The campaign file.
    public let path: String

    public func step(id: String) -> Step? { steps.first { $0.id == id } }
}

/// One touch in a campaign.
public struct Step: Sendable, Identifiable {
    public let id: String
    public let timing: StepTiming
    public let window: StepWindow
    public let action: StepAction
    /// The "should I close your file?" email: must be the last step.
    public let isBreakup: Bool
    /// `thread: true`: the email goes as a reply in the thread of the previous email step (`Re:` subject,
    /// `In-Reply-To`, `References`). Only on an email step that has an email step before it.
    public let repliesInThread: Bool
    /// `skip_if:`: the step is skipped when any of these holds.
    public let skipIf: [StepCondition]
    /// `only_if:`: the step goes only when all of these hold.
    public let onlyIf: [StepCondition]
    public let location: SourceLocation
}

/// When a step falls due.
public enum StepTiming: Sendable, Hashable, CustomStringConvertible {
    /// `wait: 4 business days`: counted from the previous step.
    case after(Wait)
    /// `at: day 14`: counted from enrollment.
    case dayOfEnrollment(Int)
    /// `wait: { until: demo_date, offset: -1 day }`: the date held in a prospect attribute, moved by the offset.
    case untilAttribute(String, offset: WaitOffset)

    public var description: String {
        switch self {
        case .after(let wait): wait.isImmediate ? "at once" : "\(wait) after the previous step"
        case .dayOfEnrollment(let day): "day \(day) of enrollment"
        case .untilAttribute(let name, let offset):
            offset.wait.isImmediate
                ? "at `\(name)`" : "\(offset.wait) \(offset.isBefore ? "before" : "after") `\(name)`"
        }
    }
}

/// What a step does.
public enum StepAction: Sendable {
    case email(EmailStep)
    /// A reminder emailed to the owner: call, LinkedIn, visit.
    case task(TaskStep)
}

public struct EmailStep: Sendable {
    public let subject: Template
    /// The Markdown body, as a template.
    public let body: Template
    public let bodyPath: String
}

public struct TaskStep: Sendable {
    public let subject: Template
    /// Optional notes for the owner.
    public let body: Template?
}

extension Step {
    /// Every template of the step, for checks that apply to them all.
    public var templates: [Template] {
        switch action {
        case .email(let email): [email.subject, email.body]
        case .task(let task): [task.subject] + (task.body.map { [$0] } ?? [])
        }
    }

    public var isEmail: Bool {
        if case .email = action { return true }
        return false
    }
}
