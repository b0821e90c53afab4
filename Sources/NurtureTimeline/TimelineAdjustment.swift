import Foundation
import NurtureCampaigns

/// One reason a step goes out at another time than its wait alone gives, goes another way, or not at all.
/// `nurture timeline` and `nurture plan` print them with `explanation(in:)`.
public enum TimelineAdjustment: Sendable, Hashable {
    /// An email step goes to the owner as a task, because the prospect prefers the phone.
    case turnedIntoTask
    /// The time fell outside the send window, or on a holiday, and moved to the window's next opening.
    case movedIntoSendWindow(from: Date, to: Date, window: SendWindow, holiday: LocalDate?)
    /// An email was pushed later to keep the minimum gap after the previous email to this prospect.
    case pushedForMinimumGap(from: Date, to: Date, previousEmail: Date, gap: Wait)
    /// The step's time had already passed (the daemon was down, or the previous step went out later) and it goes
    /// out as soon as its window and the gap allow.
    case overdue(due: Date, sendingAt: Date)
    /// Not sent: it would go out more than the campaign's `max_lateness` after its time.
    case skippedAsTooLate(due: Date, wouldSendAt: Date, maxLateness: Wait)
    /// Not sent: the attribute a `wait: { until: ... }` counts from is missing (nil value) or holds no date.
    case skippedWithoutDate(attribute: String, value: String?)
    /// Not sent: a `skip_if` holds or an `only_if` does not (the reason says which).
    case skippedByCondition(String)

    /// Whether this adjustment means the step is not sent at all.
    public var skipsTheStep: Bool {
        switch self {
        case .skippedAsTooLate, .skippedWithoutDate, .skippedByCondition: true
        case .turnedIntoTask, .movedIntoSendWindow, .pushedForMinimumGap, .overdue: false
        }
    }

    /// One line of plain English, with times on the prospect's clocks:
    /// "moved from Sat 2026-11-07 14:00 to Mon 2026-11-09 08:30 (outside the send window mon-fri 08:30-17:00)".
    public func explanation(in calendar: ProspectCalendar) -> String {
        let time = calendar.localTimestamp(of:)
        switch self {
        case .turnedIntoTask:
            return "sent to the owner as a task: the prospect prefers the phone"
        case .movedIntoSendWindow(let from, let to, let window, let holiday):
            let reason = holiday.map { "\($0) is a holiday" } ?? "outside the send window \(window.summary)"
            return "moved from \(time(from)) to \(time(to)) (\(reason))"
        case .pushedForMinimumGap(let from, let to, let previousEmail, let gap):
            return "pushed from \(time(from)) to \(time(to)) to keep the minimum gap of \(gap) "
                + "after the previous email (\(time(previousEmail)))"
        case .overdue(let due, let sendingAt):
            return "overdue since \(time(due)); goes out at \(time(sendingAt))"
        case .skippedAsTooLate(let due, let wouldSendAt, let maxLateness):
            return "skipped: it would go out at \(time(wouldSendAt)), more than max_lateness (\(maxLateness)) "
                + "after it was due (\(time(due)))"
        case .skippedWithoutDate(let attribute, nil):
            return "skipped: the prospect has no `\(attribute)`, so there is no date to wait for"
        case .skippedWithoutDate(let attribute, let value?):
            return "skipped: `\(attribute)` is `\(value)`, not a date (YYYY-MM-DD or an ISO 8601 date-time)"
        case .skippedByCondition(let reason):
            return "skipped: \(reason)"
        }
    }
}
