import Foundation
import NurtureCampaigns

extension ProspectCalendar {
    /// The wall-clock time a date-only attribute stands for. `demo_date: 2027-03-10` with `offset: -1 day` then
    /// means the morning before, rather than midnight (which the send window would push to the same opening,
    /// but which `-2 hours` would turn into the evening two days before).
    public static let dateOnlyAttributeTime = TimeOfDay(hour: 9, minute: 0) ?? SendWindow.always.opens

    /// The instant a prospect attribute holding a date stands for, or nil when it holds no date:
    /// - `2027-03-10`: that date at `dateOnlyAttributeTime` in the prospect's zone;
    /// - `2027-03-10T15:00` (seconds and fractions optional, `T` or a space): that wall-clock time in the
    ///   prospect's zone;
    /// - `2027-03-10T15:00:00Z`, `...+05:30`, `...-0500`, `...+01`: that exact instant.
    public func instant(parsingAttribute text: String) -> Date? {
        var reader = AttributeDateReader(text.trimmingCharacters(in: .whitespaces))
        guard let year = reader.number(digits: 4), reader.skip("-"), let month = reader.number(digits: 2),
            reader.skip("-"), let day = reader.number(digits: 2),
            let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        if reader.isAtEnd { return instant(on: date, at: Self.dateOnlyAttributeTime) }

        guard reader.skip("T") || reader.skip("t") || reader.skip(" "), let hour = reader.number(digits: 2),
            reader.skip(":"), let minute = reader.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        var seconds = TimeInterval(hour * 3_600 + minute * 60)
        if reader.skip(":") {
            guard let second = reader.number(digits: 2), second < 61 else { return nil }
            seconds += TimeInterval(second) + reader.fraction()
        }
        let wall = WallTime(day: date.dayNumber, seconds: seconds)
        if reader.isAtEnd { return instant(showing: wall) }
        guard let offset = reader.utcOffset(), reader.isAtEnd else { return nil }
        // Read as UTC, then undo the stated offset: no zone rules are involved.
        return Date(timeIntervalSince1970: TimeInterval(wall.day) * 86_400 + wall.seconds - TimeInterval(offset))
    }
}

/// A cursor over the ASCII of an ISO 8601 date or date-time.
private struct AttributeDateReader {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    var isAtEnd: Bool { position == characters.count }

    mutating func skip(_ character: Character) -> Bool {
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    mutating func number(digits count: Int) -> Int? {
        guard position + count <= characters.count else { return nil }
        var value = 0
        for character in characters[position..<(position + count)] {
            guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
            value = value * 10 + digit
        }
        position += count
        return value
    }

    /// `.250` or `,250` after the seconds; zero when absent.
    mutating func fraction() -> TimeInterval {
        guard skip(".") || skip(",") else { return 0 }
        var text = "0."
        while position < characters.count, characters[position].isASCII, characters[position].isNumber {
            text.append(characters[position])
            position += 1
        }
        return TimeInterval(text) ?? 0
    }

    /// `Z`, `+05:30`, `-0500` or `+01`, in seconds east of UTC.
    mutating func utcOffset() -> Int? {
        if skip("Z") || skip("z") { return 0 }
        let sign: Int
        if skip("+") {
            sign = 1
        } else if skip("-") || skip("\u{2212}") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = number(digits: 2), hours <= 14 else { return nil }
        if isAtEnd { return sign * hours * 3_600 }
        _ = skip(":")
        guard let minutes = number(digits: 2), minutes < 60 else { return nil }
        return sign * (hours * 3_600 + minutes * 60)
    }
}
