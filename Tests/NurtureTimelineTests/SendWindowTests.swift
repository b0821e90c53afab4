import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `SendWindow.contains(_:in:)` and `nextOpening(atOrAfter:in:)`, in the prospect's zone.
struct SendWindowTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let zone: String
        let window: @Sendable () throws -> SendWindow
        let from: String
        let opening: String
        var testDescription: String { name }
    }

    static let office: @Sendable () throws -> SendWindow = { try Fixtures.window(Fixtures.weekdays, (8, 30), (17, 0)) }
    static let everyDay = Set(Weekday.allCases)

    @Test(arguments: [
        Case(
            name: "inside the window stays put", zone: "America/New_York", window: office,
            from: "2026-11-06T16:59:00-05:00", opening: "2026-11-06T16:59:00-05:00"),
        Case(
            name: "Saturday afternoon moves to Monday's opening", zone: "America/New_York", window: office,
            from: "2026-11-07T14:00:00-05:00", opening: "2026-11-09T08:30:00-05:00"),
        Case(
            name: "closing time itself is outside", zone: "America/New_York", window: office,
            from: "2026-11-06T17:00:00-05:00", opening: "2026-11-09T08:30:00-05:00"),
        Case(
            name: "early morning waits for the same day's opening", zone: "America/New_York", window: office,
            from: "2026-11-10T07:00:00-05:00", opening: "2026-11-10T08:30:00-05:00"),
        Case(
            name: "over the New York spring-forward weekend", zone: "America/New_York", window: office,
            from: "2027-03-13T20:00:00-05:00", opening: "2027-03-15T08:30:00-04:00"),
        Case(
            name: "over the New York fall-back weekend", zone: "America/New_York", window: office,
            from: "2026-10-31T20:00:00-04:00", opening: "2026-11-02T08:30:00-05:00"),
        Case(
            name: "over the Berlin spring-forward weekend", zone: "Europe/Berlin", window: office,
            from: "2027-03-27T20:00:00+01:00", opening: "2027-03-29T08:30:00+02:00"),
        Case(
            name: "over the Berlin fall-back weekend", zone: "Europe/Berlin", window: office,
            from: "2026-10-24T20:00:00+02:00", opening: "2026-10-26T08:30:00+01:00"),
        Case(
            name: "on the Berlin spring-forward Sunday, the opening is local time", zone: "Europe/Berlin",
            window: { try Fixtures.window([.sun], (9, 0), (10, 0)) },
            from: "2027-03-28T00:00:00+01:00", opening: "2027-03-28T09:00:00+02:00"),
        Case(
            name: "a window opening inside the skipped hour opens when it ends", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (2, 30), (4, 0)) },
            from: "2027-03-14T00:00:00-05:00", opening: "2027-03-14T03:00:00-04:00"),
        Case(
            name: "a window wholly inside the skipped hour does not open that day", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (2, 0), (3, 0)) },
            from: "2027-03-14T00:00:00-05:00", opening: "2027-03-15T02:00:00-04:00"),
        Case(
            name: "the repeated hour of a fall-back night is inside a window covering it", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (1, 0), (2, 0)) },
            from: "2026-11-01T01:30:00-05:00", opening: "2026-11-01T01:30:00-05:00"),
        Case(
            name: "00:00-01:00: late evening waits for midnight", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (0, 0), (1, 0)) },
            from: "2026-11-06T23:30:00-05:00", opening: "2026-11-07T00:00:00-05:00"),
        Case(
            name: "00:00-01:00: 01:00 waits for the next midnight", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (0, 0), (1, 0)) },
            from: "2026-11-07T01:00:00-05:00", opening: "2026-11-08T00:00:00-05:00"),
        Case(
            name: "23:00-24:00: a second before midnight is inside", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (23, 0), (24, 0)) },
            from: "2026-11-06T23:59:59-05:00", opening: "2026-11-06T23:59:59-05:00"),
        Case(
            name: "23:00-24:00: midnight itself waits for 23:00", zone: "America/New_York",
            window: { try Fixtures.window(everyDay, (23, 0), (24, 0)) },
            from: "2026-11-07T00:00:00-05:00", opening: "2026-11-07T23:00:00-05:00"),
        Case(
            name: "23:00-24:00 on Mondays only: Tuesday midnight waits a week", zone: "Europe/Berlin",
            window: { try Fixtures.window([.mon], (23, 0), (24, 0)) },
            from: "2026-11-10T00:00:00+01:00", opening: "2026-11-16T23:00:00+01:00"),
        Case(
            name: "Kolkata (+05:30): Friday 17:30 moves to Monday 08:30", zone: "Asia/Kolkata", window: office,
            from: "2026-11-06T12:00:00Z", opening: "2026-11-09T08:30:00+05:30"),
        Case(
            name: "Auckland (+13): Monday 09:00 is inside though it is Sunday in UTC", zone: "Pacific/Auckland",
            window: office, from: "2026-11-08T20:00:00Z", opening: "2026-11-08T20:00:00Z"),
        Case(
            name: "Auckland (+13): Friday 17:30 moves to Monday 08:30, Sunday in UTC", zone: "Pacific/Auckland",
            window: office, from: "2026-11-06T04:30:00Z", opening: "2026-11-08T19:30:00Z"),
        Case(
            name: "Auckland (+12) in winter", zone: "Pacific/Auckland", window: office,
            from: "2027-06-04T05:30:00Z", opening: "2027-06-06T20:30:00Z"),
    ])
    func movesToTheNextOpening(_ test: Case) throws {
        let calendar = try Fixtures.calendar(test.zone)
        let window = try test.window()
        let from = try Fixtures.instant(test.from)
        let opening = window.nextOpening(atOrAfter: from, in: calendar)
        #expect(opening == (try Fixtures.instant(test.opening)), "\(calendar.localTimestamp(of: opening))")
        #expect(window.contains(opening, in: calendar))
        #expect(window.contains(from, in: calendar) == (opening == from))
    }

    @Test func aDueDayInsideAHolidayRunMovesPastTheWholeRun() throws {
        let calendar = try Fixtures.calendar("America/New_York", holidays: ["2026-12-24", "2026-12-25", "2026-12-26"])
        let window = try Self.office()
        let christmasEve = try Fixtures.instant("2026-12-24T10:00:00-05:00")
        #expect(!window.contains(christmasEve, in: calendar))
        #expect(
            window.nextOpening(atOrAfter: christmasEve, in: calendar)
                == (try Fixtures.instant("2026-12-28T08:30:00-05:00")))
    }

    @Test func holidaysAreDatesInTheProspectsZone() throws {
        // 2026-12-24 20:00 in New York is already Christmas Day in Kolkata.
        let instant = try Fixtures.instant("2026-12-24T20:00:00-05:00")
        let window = try Fixtures.window(Self.everyDay, (0, 0), (24, 0))
        let newYork = try Fixtures.calendar("America/New_York", holidays: ["2026-12-25"])
        let kolkata = try Fixtures.calendar("Asia/Kolkata", holidays: ["2026-12-25"])
        #expect(window.contains(instant, in: newYork))
        #expect(!window.contains(instant, in: kolkata))
        #expect(
            window.nextOpening(atOrAfter: instant, in: kolkata) == (try Fixtures.instant("2026-12-26T00:00:00+05:30")))
    }

    @Test func holidaysBlockingTwoYearsAreIgnoredRatherThanDroppingTheStep() throws {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = try Fixtures.zone("UTC")
        let first = try Fixtures.instant("2026-11-01T12:00:00Z")
        let holidays = (0..<800).compactMap { offset -> LocalDate? in
            guard let day = gregorian.date(byAdding: .day, value: offset, to: first) else { return nil }
            let parts = gregorian.dateComponents([.year, .month, .day], from: day)
            return LocalDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
        }
        let start = try Fixtures.date("2026-11-01")
        #expect(holidays.count == 800 && holidays.contains(start))
        let calendar = ProspectCalendar(timeZone: try Fixtures.zone("UTC"), holidays: Set(holidays))
        let from = try Fixtures.instant("2026-11-07T12:00:00Z")
        #expect(
            try Self.office().nextOpening(atOrAfter: from, in: calendar)
                == (try Fixtures.instant("2026-11-09T08:30:00Z")))
    }

    @Test func aWindowThatCanNeverOpenLeavesTheInstantAlone() throws {
        let calendar = try Fixtures.calendar("UTC")
        let from = try Fixtures.instant("2026-11-07T12:00:00Z")
        let noDays = try Fixtures.window([], (8, 30), (17, 0))
        #expect(noDays.nextOpening(atOrAfter: from, in: calendar) == from)
        #expect(!noDays.contains(from, in: calendar))
    }

    @Test(
        arguments: [
            (Fixtures.weekdays, "mon-fri 08:30-17:00"),
            ([.tue, .wed], "tue,wed 08:30-17:00"),
            ([.mon, .wed, .fri], "mon,wed,fri 08:30-17:00"),
            ([.mon, .tue, .wed, .sat, .sun], "mon-wed,sat,sun 08:30-17:00"),
            (Set(Weekday.allCases), "every day 08:30-17:00"),
        ] as [(Set<Weekday>, String)])
    func summarisesAsAPersonReadsIt(days: Set<Weekday>, expected: String) throws {
        #expect(try Fixtures.window(days, (8, 30), (17, 0)).summary == expected)
    }

    @Test func stepWindowsResolveToTheCampaignsTheirOwnOrNone() throws {
        let campaign = try Fixtures.campaign(
            steps: """
                  - { id: a, wait: 0, send_window: any, email: { subject: "A", body: body.md } }
                  - { id: b, wait: 0, email: { subject: "B", body: body.md } }
                  - { id: c, wait: 0, send_window: { days: [sat], hours: "10:00-12:00" }, task: { subject: "C" } }
                """)
        #expect(
            campaign.steps.map { campaign.sendWindow(for: $0)?.summary } == [
                nil, "mon-fri 08:30-17:00", "sat 10:00-12:00",
            ])
    }
}
