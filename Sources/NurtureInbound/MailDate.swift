import Foundation

/// Reads an RFC 5322 §3.3 date-time (`Mon, 23 Nov 2026 14:35:18 +0000`), including the obsolete forms still
/// sent (two-digit years, `GMT`/`EST`-style zones, missing seconds, comments such as `(PST)`).
///
/// Computed by arithmetic rather than a DateFormatter: no locale, no calendar, and every number is bounded by
/// the digits read, so hostile input cannot overflow.
enum MailDate {
    static func parse(_ rawValue: String) -> Date? {
        var tokens = tokenize(rawValue)
        if let first = tokens.first, first.allSatisfy(\.isLetter), month(first) == nil { tokens.removeFirst() }
        guard tokens.count >= 4 else { return nil }
        guard let day = number(tokens[0], maxDigits: 2), let monthNumber = month(tokens[1]) else { return nil }
        guard var year = number(tokens[2], maxDigits: 4) else { return nil }
        // RFC 5322 §4.3: two-digit years below 50 are 20xx, others 19xx; three-digit years add 1900.
        switch tokens[2].count {
        case 2: year += year < 50 ? 2000 : 1900
        case 3: year += 1900
        default: break
        }
        let time = tokens[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3,
            let hour = number(time[0], maxDigits: 2), let minute = number(time[1], maxDigits: 2),
            hour < 24, minute < 60
        else { return nil }
        let second = time.count == 3 ? number(time[2], maxDigits: 2) : 0
        guard let second, second <= 60 else { return nil }
        guard (1...12).contains(monthNumber), day >= 1, day <= daysIn(month: monthNumber, year: year) else {
            return nil
        }
        let offset = tokens.count > 4 ? zoneOffset(tokens[4]) : 0
        let days = daysFromCivil(year: year, month: monthNumber, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Lowercased words, with comments and commas removed.
    private static func tokenize(_ text: String) -> [Substring] {
        var cleaned = ""
        var depth = 0
        for character in text.lowercased() {
            switch character {
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            case ",": if depth == 0 { cleaned.append(" ") }
            default: if depth == 0 { cleaned.append(character) }
            }
        }
        return cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).prefix(6)
            .map { $0 }
    }

    private static func number(_ text: Substring, maxDigits: Int) -> Int? {
        guard !text.isEmpty, text.count <= maxDigits, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func month(_ text: Substring) -> Int? {
        guard text.count >= 3 else { return nil }
        return months.firstIndex(of: String(text.prefix(3))).map { $0 + 1 }
    }

    /// Seconds east of UTC. Unknown zones (military letters, which RFC 5322 §4.3 says to read as -0000) are UTC.
    private static func zoneOffset(_ zone: Substring) -> Int {
        if let sign = zone.first, sign == "+" || sign == "-" {
            let digits = zone.dropFirst()
            guard digits.count == 4, let value = number(digits, maxDigits: 4) else { return 0 }
            let offset = (value / 100) * 3_600 + (value % 100) * 60
            return sign == "-" ? -offset : offset
        }
        let hours: [String: Int] = [
            "ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7,
            "pdt": -7, "pst": -8,
        ]
        return (hours[String(zone)] ?? 0) * 3_600
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
