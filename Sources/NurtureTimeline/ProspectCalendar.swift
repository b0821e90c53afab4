import Foundation
import NurtureCampaigns

/// A prospect's calendar: their time zone and the campaign's holidays. Every wait, business day and send window
/// is counted in it, so "Monday 08:30" means Monday 08:30 on the prospect's own clocks.
public struct ProspectCalendar: Sendable, Hashable {
    public let timeZone: TimeZone
    /// Days that are not business days and on which no window opens, as dates in the prospect's zone.
    public let holidays: Set<LocalDate>
    private let holidayDayNumbers: Set<Int>

    public init(timeZone: TimeZone, holidays: Set<LocalDate> = []) {
        self.timeZone = timeZone
        self.holidays = holidays
        self.holidayDayNumbers = Set(holidays.map(\.dayNumber))
    }

    /// The campaign's holidays in the prospect's zone, or in the campaign's `timezone` for a prospect with none.
    public init(campaign: Campaign, prospectTimeZone: TimeZone?) {
        self.init(timeZone: prospectTimeZone ?? campaign.timeZone, holidays: campaign.holidays)
    }

    /// The prospect's date at `instant`; nil outside years 1 to 9999.
    public func localDate(of instant: Date) -> LocalDate? {
        LocalDate(dayNumber: wallTime(of: instant).day)
    }

    public func weekday(of instant: Date) -> Weekday {
        CivilDays.weekday(wallTime(of: instant).day)
    }

    public func isHoliday(_ date: LocalDate) -> Bool {
        holidayDayNumbers.contains(date.dayNumber)
    }

    /// The instant the prospect's clocks show `time` on `date`. A time skipped when the clocks spring forward
    /// becomes the first instant after the gap (02:30 on a 02:00→03:00 night is 03:00); a time shown twice when
    /// they fall back is its first occurrence.
    public func instant(on date: LocalDate, at time: TimeOfDay) -> Date {
        instant(showing: WallTime(day: date.dayNumber, seconds: TimeInterval(time.minutesSinceMidnight * 60)))
    }

    func isHoliday(day: Int) -> Bool { holidayDayNumbers.contains(day) }

    /// Monday to Friday and not a holiday.
    func isBusinessDay(_ day: Int) -> Bool {
        let weekday = CivilDays.weekday(day)
        return weekday != .sat && weekday != .sun && !holidayDayNumbers.contains(day)
    }
}

extension Campaign {
    /// The campaign's `timezone`; UTC if the system does not know it (the parser already refused unknown names).
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? .gmt }
}

/// What the prospect's clocks show: a day number and the seconds since that day's midnight.
struct WallTime: Hashable {
    var day: Int
    var seconds: TimeInterval
}

extension ProspectCalendar {
    // Years 1 to 9999 and a margin: keeps day arithmetic on a `Date` from far outside any campaign in range.
    private static let representable: ClosedRange<TimeInterval> = -62_200_000_000...253_500_000_000

    func wallTime(of instant: Date) -> WallTime {
        let utc = Self.clamped(instant.timeIntervalSince1970)
        let local = utc + TimeInterval(offset(at: utc))
        let day = Int((local / 86_400).rounded(.down))
        return WallTime(day: day, seconds: local - TimeInterval(day) * 86_400)
    }

    func instant(showing wall: WallTime) -> Date {
        // The wall time read as if it were UTC; the real instant is that minus the zone's offset at the instant.
        let local = TimeInterval(wall.day) * 86_400 + wall.seconds
        // Offsets a day either side cover both sides of any transition near this wall time.
        let offsets = Set([local - 86_400, local, local + 86_400].map { offset(at: $0) })
        let matching = offsets.filter { offset(at: local - TimeInterval($0)) == $0 }
        // Both offsets match when the clocks fall back; the larger one gives the earlier instant.
        if let first = matching.max() { return Date(timeIntervalSince1970: local - TimeInterval(first)) }
        // No offset gives this wall time: it falls in a gap. Find the transition that ends the gap.
        guard let smallest = offsets.min(), let largest = offsets.max() else {
            return Date(timeIntervalSince1970: local)
        }
        var low = (local - TimeInterval(largest)).rounded(.down)
        var high = (local - TimeInterval(smallest)).rounded(.up)
        while high - low > 1 {
            let middle = ((low + high) / 2).rounded(.down)
            if middle + TimeInterval(offset(at: middle)) > local { high = middle } else { low = middle }
        }
        return Date(timeIntervalSince1970: high)
    }

    private func offset(at utc: TimeInterval) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Self.clamped(utc)))
    }

    private static func clamped(_ seconds: TimeInterval) -> TimeInterval {
        seconds.isNaN ? 0 : min(max(seconds, representable.lowerBound), representable.upperBound)
    }
}
