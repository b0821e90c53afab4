import Foundation
import NurtureCampaigns

extension ProspectCalendar {
    /// Longer waits are counted as this long: a century is past any campaign, and it keeps a mistyped
    /// `wait: 99999999 business days` from running for hours or overflowing.
    public static let longestWaitInDays = 36_525

    /// `instant` moved forward by `wait`, as the prospect lives it:
    /// - minutes and hours are elapsed time (2 hours is 7,200 seconds, whatever the clocks do);
    /// - days and weeks are calendar days at the same wall-clock time (09:00 stays 09:00 across a daylight-saving
    ///   change; a time the target day skips becomes the first instant after the gap);
    /// - business days skip Saturdays, Sundays and holidays, landing at the same wall-clock time.
    public func date(byAdding wait: Wait, to instant: Date) -> Date {
        date(byAdding: WaitOffset(wait, .after), to: instant)
    }

    /// `instant` moved forward, or back for a negative offset (`-1 day`, `-3 business days`), by the rules of
    /// `date(byAdding:to:)` for a `Wait`.
    public func date(byAdding offset: WaitOffset, to instant: Date) -> Date {
        let amount = offset.wait.amount
        guard amount > 0 else { return instant }
        let direction = offset.isBefore ? -1 : 1
        let days = Self.longestWaitInDays
        switch offset.wait.unit {
        case .minutes:
            return instant.addingTimeInterval(TimeInterval(direction * min(amount, days * 1_440) * 60))
        case .hours:
            return instant.addingTimeInterval(TimeInterval(direction * min(amount, days * 24) * 3_600))
        case .days:
            return sameWallTime(as: instant, daysLater: direction * min(amount, days))
        case .weeks:
            return sameWallTime(as: instant, daysLater: direction * min(amount, days / 7) * 7)
        case .businessDays:
            return sameWallTime(as: instant, businessDaysLater: min(amount, days * 5 / 7), direction: direction)
        }
    }

    private func sameWallTime(as instant: Date, daysLater days: Int) -> Date {
        var wall = wallTime(of: instant)
        wall.day += days
        return self.instant(showing: wall)
    }

    private func sameWallTime(as instant: Date, businessDaysLater count: Int, direction: Int) -> Date {
        var wall = wallTime(of: instant)
        var remaining = count
        // Counting starts from the next day whatever this one is: Saturday plus one business day is Monday.
        while remaining > 0 {
            wall.day += direction
            if isBusinessDay(wall.day) { remaining -= 1 }
        }
        return self.instant(showing: wall)
    }
}
