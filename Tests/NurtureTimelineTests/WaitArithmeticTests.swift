import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `ProspectCalendar.date(byAdding:to:)`: waits counted as the prospect lives them.
struct WaitArithmeticTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let zone: String
        let holidays: [String]
        let start: String
        let wait: Wait
        let expected: String
        var testDescription: String { name }

        init(_ name: String, _ zone: String, holidays: [String] = [], _ start: String, _ wait: Wait, _ expected: String)
        {
            (self.name, self.zone, self.holidays, self.start, self.wait, self.expected) =
                (name, zone, holidays, start, wait, expected)
        }
    }

    static let thanksgiving = ["2026-11-26"]
    static let christmasRun = ["2026-12-24", "2026-12-25", "2026-12-26"]

    @Test(arguments: [
        Case(
            "Friday 16:59 plus 4 business days is Thursday 16:59", "America/New_York",
            "2026-11-06T16:59:00-05:00", Wait(4, .businessDays), "2026-11-12T16:59:00-05:00"),
        Case(
            "a holiday on the due day moves it to the next business day", "America/New_York", holidays: thanksgiving,
            "2026-11-20T10:00:00-05:00", Wait(4, .businessDays), "2026-11-27T10:00:00-05:00"),
        Case(
            "a holiday run (Dec 24-26) and a weekend are all skipped", "America/New_York", holidays: christmasRun,
            "2026-12-22T09:00:00-05:00", Wait(2, .businessDays), "2026-12-28T09:00:00-05:00"),
        Case(
            "Saturday plus one business day is Monday", "America/New_York",
            "2026-11-07T11:00:00-05:00", Wait(1, .businessDays), "2026-11-09T11:00:00-05:00"),
        Case(
            "business days count in the prospect's zone, not UTC (Auckland Friday)", "Pacific/Auckland",
            "2026-11-06T16:59:00+13:00", Wait(1, .businessDays), "2026-11-09T16:59:00+13:00"),
        Case(
            "business days in Kolkata", "Asia/Kolkata",
            "2026-11-06T18:30:00+05:30", Wait(4, .businessDays), "2026-11-12T18:30:00+05:30"),
        Case(
            "New York spring forward: 09:00 stays 09:00", "America/New_York",
            "2027-03-13T09:00:00-05:00", Wait(1, .days), "2027-03-14T09:00:00-04:00"),
        Case(
            "New York fall back: 09:00 stays 09:00", "America/New_York",
            "2026-10-31T09:00:00-04:00", Wait(1, .days), "2026-11-01T09:00:00-05:00"),
        Case(
            "New York fall back, a week", "America/New_York",
            "2026-10-28T09:00:00-04:00", Wait(1, .weeks), "2026-11-04T09:00:00-05:00"),
        Case(
            "Berlin spring forward: 09:00 stays 09:00", "Europe/Berlin",
            "2027-03-27T09:00:00+01:00", Wait(1, .days), "2027-03-28T09:00:00+02:00"),
        Case(
            "Berlin fall back: 09:00 stays 09:00", "Europe/Berlin",
            "2026-10-24T09:00:00+02:00", Wait(1, .days), "2026-10-25T09:00:00+01:00"),
        Case(
            "a time the spring-forward night skips becomes the end of the gap (New York)", "America/New_York",
            "2027-03-13T02:30:00-05:00", Wait(1, .days), "2027-03-14T03:00:00-04:00"),
        Case(
            "a time the spring-forward night skips becomes the end of the gap (Berlin)", "Europe/Berlin",
            "2027-03-27T02:30:00+01:00", Wait(1, .days), "2027-03-28T03:00:00+02:00"),
        Case(
            "a time shown twice when clocks fall back is its first occurrence", "America/New_York",
            "2026-10-31T01:30:00-04:00", Wait(1, .days), "2026-11-01T01:30:00-04:00"),
        Case(
            "Auckland's clocks go back: 09:00 stays 09:00", "Pacific/Auckland",
            "2027-04-03T09:00:00+13:00", Wait(1, .days), "2027-04-04T09:00:00+12:00"),
        Case(
            "hours are elapsed time across spring forward", "America/New_York",
            "2027-03-13T09:00:00-05:00", Wait(24, .hours), "2027-03-14T10:00:00-04:00"),
        Case(
            "minutes are elapsed time across fall back", "America/New_York",
            "2026-11-01T01:30:00-04:00", Wait(60, .minutes), "2026-11-01T01:30:00-05:00"),
        Case(
            "a zero wait is the same instant", "Asia/Kolkata",
            "2026-11-06T18:30:17+05:30", .immediately, "2026-11-06T18:30:17+05:30"),
        Case(
            "zero business days on a Sunday stay on Sunday", "America/New_York",
            "2026-11-08T11:00:00-05:00", Wait(0, .businessDays), "2026-11-08T11:00:00-05:00"),
    ])
    func addsWaitsInTheProspectsCalendar(_ test: Case) throws {
        let calendar = try Fixtures.calendar(test.zone, holidays: test.holidays)
        let result = calendar.date(byAdding: test.wait, to: try Fixtures.instant(test.start))
        #expect(result == (try Fixtures.instant(test.expected)), "\(calendar.localTimestamp(of: result))")
    }

    @Test func keepsSecondsAndFractionsOfTheWallClockTime() throws {
        let calendar = try Fixtures.calendar("Europe/Berlin")
        let start = try Fixtures.instant("2027-03-27T10:15:42.5+01:00")
        #expect(
            calendar.date(byAdding: Wait(1, .days), to: start) == (try Fixtures.instant("2027-03-28T10:15:42.5+02:00")))
    }

    @Test(arguments: [
        (
            "a day before, across spring forward", WaitOffset(Wait(1, .days), .before),
            "2027-03-15T09:00:00-04:00", "2027-03-14T09:00:00-04:00"
        ),
        (
            "a day before the change itself", WaitOffset(Wait(1, .days), .before),
            "2027-03-14T09:00:00-04:00", "2027-03-13T09:00:00-05:00"
        ),
        (
            "three business days before, over a holiday", WaitOffset(Wait(3, .businessDays), .before),
            "2026-11-30T09:00:00-05:00", "2026-11-24T09:00:00-05:00"
        ),
        (
            "two hours before", WaitOffset(Wait(2, .hours), .before),
            "2027-03-14T04:00:00-04:00", "2027-03-14T01:00:00-05:00"
        ),
        (
            "a week after", WaitOffset(Wait(1, .weeks), .after),
            "2026-10-30T14:00:00-04:00", "2026-11-06T14:00:00-05:00"
        ),
    ])
    func negativeOffsetsCountBackwards(name: String, offset: WaitOffset, start: String, expected: String) throws {
        let calendar = try Fixtures.calendar("America/New_York", holidays: Self.thanksgiving)
        #expect(calendar.date(byAdding: offset, to: try Fixtures.instant(start)) == (try Fixtures.instant(expected)))
    }

    @Test func anAbsurdWaitIsCappedNotACrashOrAHang() throws {
        let calendar = try Fixtures.calendar("UTC")
        let start = try Fixtures.instant("2026-11-06T12:00:00Z")
        for unit in Wait.Unit.allCases {
            let result = calendar.date(byAdding: Wait(Int.max, unit), to: start)
            let years = result.timeIntervalSince(start) / (365.25 * 86_400)
            #expect(years > 69 && years <= 100.01, "\(unit): \(years) years")
        }
    }
}
