/// A wait that may point backwards: the `offset` of `wait: { until: demo_date, offset: -1 day }`.
public struct WaitOffset: Sendable, Hashable, CustomStringConvertible {
    public enum Direction: Sendable, Hashable {
        case before, after
    }

    /// How far, always counted forwards.
    public let wait: Wait
    public let direction: Direction

    public init(_ wait: Wait, _ direction: Direction) {
        self.wait = wait
        self.direction = direction
    }

    /// No offset: the attribute's own date and time.
    public static let none = WaitOffset(.immediately, .after)

    public var isBefore: Bool { direction == .before && !wait.isImmediate }

    /// `-1 day`, `2 hours`, `0`: as a campaign file would say it.
    public var description: String { isBefore ? "-\(wait)" : "\(wait)" }

    /// Parses an optional sign followed by a `Wait`: `-1 day`, `+2 hours`, `-3 business days`, `0`.
    public init(parsing text: String) throws(WaitSyntaxError) {
        let trimmed = Substring(text).drop { $0 == " " || $0 == "\t" }
        // U+2212 is the minus sign word processors put in place of a hyphen.
        let sign = trimmed.first.flatMap { "-+\u{2212}".contains($0) ? $0 : nil }
        let magnitude = try Wait(parsing: String(sign == nil ? trimmed : trimmed.dropFirst()))
        self.init(magnitude, sign == "+" || sign == nil ? .after : .before)
    }
}

extension WaitSyntaxError {
    /// The explanation `wait:` gets, worded for another key holding a wait (`offset`, `max_lateness`, `min_gap`).
    func message(for text: String, key: String) -> String {
        if self == .notANumber {
            let examples = key == "offset" ? "`-1 day`, `2 hours` or `-3 business days`" : "`1 day` or `12 hours`"
            return "`\(key): \(text)` must be a whole number and a unit, like \(examples)"
        }
        let message = message(for: text)
        let prefix = "`wait: "
        return message.hasPrefix(prefix) ? "`\(key): " + message.dropFirst(prefix.count) : message
    }
}
