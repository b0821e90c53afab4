/// A day of the week, as campaign files spell it.
public enum Weekday: Int, Sendable, CaseIterable, Comparable {
    // Gregorian calendar numbering, so `Calendar.component(.weekday, ...)` maps straight onto it.
    case sun = 1
    case mon, tue, wed, thu, fri, sat

    public var name: String { String(describing: self) }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }

    init?(name: String) {
        let lowered = name.lowercased()
        guard let day = Weekday.allCases.first(where: { lowered == $0.name || lowered == $0.fullName }) else {
            return nil
        }
        self = day
    }

    var fullName: String {
        switch self {
        case .sun: "sunday"
        case .mon: "monday"
        case .tue: "tuesday"
        case .wed: "wednesday"
        case .thu: "thursday"
        case .fri: "friday"
        case .sat: "saturday"
        }
    }
}

/// A wall-clock time of day, minute precision.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// `08:30`, `8:30` or `24:00` (the end of the day).
    init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var minutesSinceMidnight: Int { hour * 60 + minute }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}

/// When a campaign may send: some days of the week, between two times, in the prospect's time zone.
public struct SendWindow: Sendable, Hashable, CustomStringConvertible {
    public let days: Set<Weekday>
    public let opens: TimeOfDay
    public let closes: TimeOfDay

    public init(days: Set<Weekday>, opens: TimeOfDay, closes: TimeOfDay) {
        self.days = days
        self.opens = opens
        self.closes = closes
    }

    /// Every day, all day: what a campaign gets when it names no window.
    public static let always = SendWindow(
        days: Set(Weekday.allCases),
        opens: TimeOfDay(hour: 0, minute: 0)!,
        closes: TimeOfDay(hour: 24, minute: 0)!
    )

    public var description: String {
        let names = days.sorted().map(\.name).joined(separator: ",")
        return "\(names) \(opens)-\(closes)"
    }
}

/// Which window a step goes out in.
public enum StepWindow: Sendable, Hashable {
    /// The campaign's window.
    case campaign
    /// Any time: `send_window: any`, for the thank-you that must leave at once.
    case any
    /// A window of the step's own.
    case custom(SendWindow)
}
