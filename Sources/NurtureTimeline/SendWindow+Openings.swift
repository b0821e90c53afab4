import Foundation
import NurtureCampaigns

extension SendWindow {
    /// How far `nextOpening(atOrAfter:in:)` looks before it stops honouring holidays: two years of days.
    public static let openingSearchDays = 731

    /// Whether the window is open at `instant` in the prospect's calendar: one of its days, not a holiday, and a
    /// wall-clock time from `opens` up to (not including) `closes`.
    public func contains(_ instant: Date, in calendar: ProspectCalendar) -> Bool {
        calendar.opening(of: self, on: calendar.wallTime(of: instant).day)?.contains(instant) ?? false
    }

    /// The first instant at or after `instant` when the window is open: `instant` itself when it is inside.
    ///
    /// A step is moved, never dropped, so this always returns an instant. When holidays block every window day
    /// for `openingSearchDays` days, they are ignored rather than losing the step; a window that can never open
    /// (no days, or `opens` not before `closes`, which the campaign parser refuses) leaves `instant` as it is.
    public func nextOpening(atOrAfter instant: Date, in calendar: ProspectCalendar) -> Date {
        let start = calendar.wallTime(of: instant).day
        if let opening = firstOpening(atOrAfter: instant, from: start, days: Self.openingSearchDays, in: calendar) {
            return opening
        }
        let withoutHolidays = ProspectCalendar(timeZone: calendar.timeZone)
        return firstOpening(atOrAfter: instant, from: start, days: 8, in: withoutHolidays) ?? instant
    }

    private func firstOpening(atOrAfter instant: Date, from start: Int, days: Int, in calendar: ProspectCalendar)
        -> Date?
    {
        for day in start..<(start + days) {
            guard let opening = calendar.opening(of: self, on: day), instant < opening.upperBound else { continue }
            return max(instant, opening.lowerBound)
        }
        return nil
    }
}

extension ProspectCalendar {
    /// When `window` is open on `day`, as instants. Resolving both ends through the wall clock makes a window
    /// 08:30-17:00 mean 08:30-17:00 local on the days the clocks change; a window wholly inside a skipped hour
    /// (02:00-03:00 on a spring-forward night) does not open that day.
    func opening(of window: SendWindow, on day: Int) -> Range<Date>? {
        guard window.days.contains(CivilDays.weekday(day)), !isHoliday(day: day) else { return nil }
        let opens = instant(showing: WallTime(day: day, seconds: window.opens.secondsSinceMidnight))
        // `24:00` is the next day's midnight, so a 23:00-24:00 window ends where the day does.
        let closes =
            window.closes.minutesSinceMidnight >= 1_440
            ? instant(showing: WallTime(day: day + 1, seconds: 0))
            : instant(showing: WallTime(day: day, seconds: window.closes.secondsSinceMidnight))
        return opens < closes ? opens..<closes : nil
    }

    /// The holiday `instant` falls on when that is what keeps `window` shut: a window day that is a holiday.
    func holidayClosing(_ window: SendWindow, at instant: Date) -> LocalDate? {
        let day = wallTime(of: instant).day
        guard window.days.contains(CivilDays.weekday(day)), isHoliday(day: day) else { return nil }
        return LocalDate(dayNumber: day)
    }
}

extension Campaign {
    /// The window `step` goes out in: its own, the campaign's, or nil for `send_window: any` (no move at all).
    public func sendWindow(for step: Step) -> SendWindow? {
        switch step.window {
        case .any: nil
        case .campaign: sendWindow
        case .custom(let window): window
        }
    }
}

extension TimeOfDay {
    var secondsSinceMidnight: TimeInterval { TimeInterval(minutesSinceMidnight * 60) }
}
