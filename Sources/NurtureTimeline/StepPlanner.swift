import Foundation
import NurtureCampaigns

/// Works out when each step of one campaign goes to one prospect: the step's wait in the prospect's calendar, the
/// send window, the minimum gap between emails, the prospect's preferred channel and the campaign's lateness
/// limit. Pure: every instant, "now" included, is a parameter.
///
/// The rules, in the order they apply:
/// 1. The step's time: `wait` counts from the anchor (when the previous step went out; enrollment for the first),
///    `at: day N` from enrollment, `wait: { until: ... }` from the attribute's date. An `until` whose attribute
///    is missing or holds no date is skipped.
/// 2. Outside the step's send window (or on a holiday), it moves to the window's next opening; never dropped.
/// 3. An email (not a task) goes no sooner than the minimum gap after the last email to the prospect from any
///    campaign, then into the window again. The first step, when it has `wait: 0`, is exempt: it is the direct
///    answer to the prospect's own request (the guide they asked for), and speed to lead matters more.
/// 4. Nothing goes out before `now` or before the anchor. A step whose time has passed (the daemon was down)
///    goes out as soon as 2 and 3 allow, unless that is more than the campaign's `max_lateness` after the time it
///    had by rules 1 to 3: then it is skipped.
/// 5. A step whose `skip_if` holds, or whose `only_if` does not, is skipped at the time rules 1 to 4 give it.
public struct StepPlanner: Sendable {
    public let campaign: Campaign
    public let calendar: ProspectCalendar
    public let preferredChannel: PreferredChannel
    /// The prospect's attributes, for `wait: { until: ... }`.
    public let attributes: [String: String]
    public let enrolledAt: Date
    /// The gap every campaign keeps between two emails to one prospect; a campaign's `min_gap` can only add to it.
    public let globalMinimumGap: Wait?
    /// Steps of this enrollment the prospect clicked a link in, for `skip_if`/`only_if: clicked`. A plan made
    /// ahead of time assumes no clicks.
    public var clickedSteps: Set<String> = []

    /// Lateness shorter than this goes unmentioned: a scheduler always wakes a moment after a step's time.
    public static let overdueNoticeThreshold: TimeInterval = 60

    /// - Parameter prospectTimeZone: the prospect's zone; nil means the campaign's `timezone`.
    public init(
        campaign: Campaign, prospectTimeZone: TimeZone?, preferredChannel: PreferredChannel = .email,
        attributes: [String: String] = [:], enrolledAt: Date, globalMinimumGap: Wait? = nil
    ) {
        self.campaign = campaign
        self.calendar = ProspectCalendar(campaign: campaign, prospectTimeZone: prospectTimeZone)
        self.preferredChannel = preferredChannel
        self.attributes = attributes
        self.enrolledAt = enrolledAt
        self.globalMinimumGap = globalMinimumGap
    }

    /// The step at `index`, planned; nil past the last step.
    /// - Parameters:
    ///   - anchor: when the previous step went out (or was skipped); the enrollment instant for the first step.
    ///   - lastEmailSent: the last email to this prospect from any campaign, for the minimum gap.
    ///   - now: the current time; a step is never due before it.
    public func nextStep(index: Int, anchor: Date, lastEmailSent: Date?, now: Date) -> PlannedStep? {
        guard let timed = timedStep(index: index, anchor: anchor, lastEmailSent: lastEmailSent, now: now) else {
            return nil
        }
        // Conditions are judged when the step falls due (a click may come before then), at the time it would
        // have gone: skipping it keeps the rhythm of the steps after it.
        let step = campaign.steps[index]
        guard !timed.isSkipped, let reason = step.unmetCondition(attributes: attributes, clickedSteps: clickedSteps)
        else { return timed }
        return PlannedStep(
            index: index, stepID: step.id, channel: timed.channel, due: timed.due,
            adjustments: timed.adjustments + [.skippedByCondition(reason)], calendar: calendar)
    }

    /// Rules 1 to 4: the step's time, or a skip that comes from timing alone.
    private func timedStep(index: Int, anchor: Date, lastEmailSent: Date?, now: Date) -> PlannedStep? {
        guard campaign.steps.indices.contains(index) else { return nil }
        let step = campaign.steps[index]
        var adjustments: [TimelineAdjustment] = []
        var channel = PlannedStep.Channel.task
        if step.isEmail {
            channel = preferredChannel == .phone ? .task : .email
            if channel == .task { adjustments.append(.turnedIntoTask) }
        }
        let earliest = max(now, anchor)
        func planned(_ due: Date) -> PlannedStep {
            PlannedStep(
                index: index, stepID: step.id, channel: channel, due: due, adjustments: adjustments,
                calendar: calendar)
        }

        let time: Date
        switch startingTime(of: step, anchor: anchor) {
        case .at(let instant):
            time = instant
        case .skipped(let skip):
            adjustments.append(skip)
            return planned(earliest)
        }
        let window = campaign.sendWindow(for: step)
        let exempt = index == 0 && step.timing == .after(.immediately)
        let gap = channel == .email && !exempt ? lastEmailSent.flatMap(gapBound(after:)) : nil
        let onTime = settle(time, window: window, gap: gap, &adjustments)
        guard onTime < earliest else { return planned(onTime) }

        var catchingUp: [TimelineAdjustment] = []
        let late = settle(earliest, window: window, gap: gap, &catchingUp)
        if let maxLateness = campaign.maxLateness, late > calendar.date(byAdding: maxLateness, to: onTime) {
            adjustments.append(.skippedAsTooLate(due: onTime, wouldSendAt: late, maxLateness: maxLateness))
            return planned(earliest)
        }
        if late.timeIntervalSince(onTime) >= Self.overdueNoticeThreshold {
            adjustments.append(.overdue(due: onTime, sendingAt: late))
        }
        adjustments += catchingUp
        return planned(late)
    }

    /// Every step from `index` on, assuming no reply: each counts from the one planned before it, and each email
    /// becomes the last email for the gap. What `nurture plan` and `nurture forecast` show.
    public func plan(from index: Int = 0, anchor: Date, lastEmailSent: Date?, now: Date) -> [PlannedStep] {
        guard index >= 0 else { return [] }
        var steps: [PlannedStep] = []
        var anchor = anchor
        var lastEmail = lastEmailSent
        for position in index..<max(index, campaign.steps.count) {
            guard let step = nextStep(index: position, anchor: anchor, lastEmailSent: lastEmail, now: now) else {
                break
            }
            steps.append(step)
            anchor = step.due
            if step.channel == .email, !step.isSkipped { lastEmail = step.due }
        }
        return steps
    }

    // MARK: Rules

    private enum StartingTime {
        case at(Date)
        case skipped(TimelineAdjustment)
    }

    private func startingTime(of step: Step, anchor: Date) -> StartingTime {
        switch step.timing {
        case .after(let wait):
            return .at(calendar.date(byAdding: wait, to: anchor))
        case .dayOfEnrollment(let day):
            return .at(calendar.date(byAdding: Wait(day, .days), to: enrolledAt))
        case .untilAttribute(let name, let offset):
            let value = attributes[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            guard let value, let date = calendar.instant(parsingAttribute: value) else {
                return .skipped(.skippedWithoutDate(attribute: name, value: value))
            }
            return .at(calendar.date(byAdding: offset, to: date))
        }
    }

    private struct GapBound {
        let earliest: Date
        let previousEmail: Date
        let gap: Wait
    }

    /// The later of the two gaps' ends: "2 days" and "1 business day" do not compare until counted from a date.
    private func gapBound(after previousEmail: Date) -> GapBound? {
        [globalMinimumGap, campaign.minimumGap].compactMap { $0 }
            .map { gap in
                GapBound(
                    earliest: calendar.date(byAdding: gap, to: previousEmail), previousEmail: previousEmail, gap: gap)
            }
            .max { $0.earliest < $1.earliest }
    }

    /// The first instant from `start` inside the window and past the gap; the window again after a push, since
    /// the gap may end outside it.
    private func settle(
        _ start: Date, window: SendWindow?, gap: GapBound?, _ adjustments: inout [TimelineAdjustment]
    ) -> Date {
        var due = moveIntoWindow(start, window, &adjustments)
        if let gap, due < gap.earliest {
            adjustments.append(
                .pushedForMinimumGap(from: due, to: gap.earliest, previousEmail: gap.previousEmail, gap: gap.gap))
            due = moveIntoWindow(gap.earliest, window, &adjustments)
        }
        return due
    }

    private func moveIntoWindow(_ instant: Date, _ window: SendWindow?, _ adjustments: inout [TimelineAdjustment])
        -> Date
    {
        guard let window else { return instant }
        let opening = window.nextOpening(atOrAfter: instant, in: calendar)
        if opening != instant {
            let holiday = calendar.holidayClosing(window, at: instant)
            adjustments.append(.movedIntoSendWindow(from: instant, to: opening, window: window, holiday: holiday))
        }
        return opening
    }
}
