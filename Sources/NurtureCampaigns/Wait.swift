import Foundation

/// How long a step waits after the previous one.
public struct Wait: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable, CaseIterable {
        case minutes, hours, days
        case businessDays = "business days"
        case weeks
    }

    public let amount: Int
    public let unit: Unit

    public init(_ amount: Int, _ unit: Unit) {
        self.amount = amount
        self.unit = unit
    }

    public static let immediately = Wait(0, .minutes)

    public var isImmediate: Bool { amount == 0 }

    /// The wait as plain elapsed time, counting a day as 24 hours; nil for business days, which need a calendar.
    public var elapsedSeconds: TimeInterval? {
        let unitSeconds: TimeInterval? =
            switch unit {
            case .minutes: 60
            case .hours: 3600
            case .days: 86400
            case .weeks: 7 * 86400
            case .businessDays: nil
            }
        return unitSeconds.map { $0 * TimeInterval(amount) }
    }

    public var description: String {
        if isImmediate { return "0" }
        let name = amount == 1 ? String(unit.rawValue.dropLast()) : unit.rawValue
        return "\(amount) \(name)"
    }

    /// Parses `0`, `30 minutes`, `2 hours`, `3 days`, `4 business days`, `2 weeks`, and `30m`, `2h`, `3d`, `2w`.
    public init(parsing text: String) throws(WaitSyntaxError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { throw .notANumber }
        guard let amount = Int(digits) else { throw .tooLong }
        let unitText = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        if unitText.isEmpty {
            guard amount == 0 else { throw .missingUnit(amount) }
            self = .immediately
            return
        }
        guard let unit = Self.units[unitText] else { throw .unknownUnit(unitText) }
        self.init(amount, unit)
    }

    private static let units: [String: Unit] = {
        var table: [String: Unit] = [:]
        let spellings: [Unit: [String]] = [
            .minutes: ["m", "min", "mins", "minute", "minutes"],
            .hours: ["h", "hr", "hrs", "hour", "hours"],
            .days: ["d", "day", "days"],
            .businessDays: [
                "bd", "business day", "business days", "businessday", "businessdays", "workday", "workdays",
            ],
            .weeks: ["w", "wk", "week", "weeks"],
        ]
        for (unit, names) in spellings { for name in names { table[name] = unit } }
        return table
    }()
}

/// Why a `wait:` could not be read; `CampaignParser` turns it into a located message.
public enum WaitSyntaxError: Error, Sendable, Equatable {
    case notANumber
    /// More digits than a number holds: far beyond the century any wait is counted up to.
    case tooLong
    case missingUnit(Int)
    case unknownUnit(String)

    func message(for text: String) -> String {
        switch self {
        case .notANumber:
            return
                "`wait: \(text)` must start with a whole number, like `0`, `30 minutes`, `4 business days` or `2 weeks`"
        case .tooLong:
            return "`wait: \(text)` is longer than any campaign runs; give a wait of at most a few years"
        case .missingUnit(let amount):
            return "`wait: \(text)` has no unit; write `\(amount) minutes`, `\(amount) hours`, `\(amount) days`, "
                + "`\(amount) business days` or `\(amount) weeks`"
        case .unknownUnit(let unit):
            let hint =
                Suggestions.closest(to: unit, in: Wait.Unit.allCases.map(\.rawValue))
                ?? Suggestions.closest(to: String(unit.split(separator: " ").first ?? ""), in: ["business days"])
            let suffix =
                hint.map { "; did you mean `\($0)`?" }
                ?? "; use minutes, hours, days, business days or weeks"
            return "`wait: \(text)`: unknown unit `\(unit)`\(suffix)"
        }
    }
}
