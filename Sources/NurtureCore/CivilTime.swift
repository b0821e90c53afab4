import Foundation

/// A moment as a UTC calendar date and time of day, worked out by arithmetic: Foundation's formatters cost more
/// than the rest of a send (a Date header per message, a timestamp per log line).
public struct CivilTime: Sendable, Equatable {
    public let year: Int
    /// 1...12
    public let month: Int
    /// 1...31
    public let day: Int
    /// 0 is Sunday.
    public let weekday: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// 0...999: the moment is taken to the nearest millisecond.
    public let millisecond: Int

    public init(_ date: Date) {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        millisecond = milliseconds - seconds * 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        // Days since 1970-01-01 to a Gregorian date (H. Hinnant's civil_from_days).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        weekday = (((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
        hour = time / 3600
        minute = time / 60 % 60
        second = time % 60
    }

    /// `2026-11-23T14:35:18.042Z`
    public var iso8601WithMilliseconds: String {
        "\(Self.digits(year, 4))-\(Self.digits(month, 2))-\(Self.digits(day, 2))T\(Self.digits(hour, 2)):"
            + "\(Self.digits(minute, 2)):\(Self.digits(second, 2)).\(Self.digits(millisecond, 3))Z"
    }

    /// `value` with leading zeros to `width` digits.
    public static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
