import NurtureCampaigns

/// Dates as day numbers (days since 1970-01-01, proleptic Gregorian), so stepping over days, weekends and
/// holidays is integer arithmetic with no calendar object and nothing that can fail.
enum CivilDays {
    /// Howard Hinnant's `days_from_civil`.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Howard Hinnant's `civil_from_days`.
    static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func weekday(_ dayNumber: Int) -> Weekday {
        // 1970-01-01 was a Thursday; `allCases` runs Sunday to Saturday.
        Weekday.allCases[((dayNumber % 7) + 7 + 4) % 7]
    }

    /// `2026-11-07`, even for a day `LocalDate` cannot hold.
    static func isoString(_ dayNumber: Int) -> String {
        let (year, month, day) = civil(dayNumber)
        return LocalDate(year: year, month: month, day: day)?.description ?? "\(year)-\(month)-\(day)"
    }
}

extension LocalDate {
    /// Days since 1970-01-01.
    var dayNumber: Int { CivilDays.dayNumber(year: year, month: month, day: day) }

    /// The date `dayNumber` days after 1970-01-01, when it falls in years 1 to 9999.
    init?(dayNumber: Int) {
        let (year, month, day) = CivilDays.civil(dayNumber)
        self.init(year: year, month: month, day: day)
    }
}
