import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `ProspectCalendar.instant(parsingAttribute:)`: what a `demo_date` attribute means.
struct AttributeDateTests {
    @Test(arguments: [
        ("2027-03-10", "2027-03-10T09:00:00-05:00"),
        ("2027-03-14", "2027-03-14T09:00:00-04:00"),
        (" 2027-03-10 ", "2027-03-10T09:00:00-05:00"),
        ("2027-03-10T15:00", "2027-03-10T15:00:00-05:00"),
        ("2027-03-10 15:00:30", "2027-03-10T15:00:30-05:00"),
        ("2027-03-14T02:30", "2027-03-14T03:00:00-04:00"),
        ("2027-03-10T15:00:00Z", "2027-03-10T15:00:00Z"),
        ("2027-03-10T15:00:00+05:30", "2027-03-10T09:30:00Z"),
        ("2027-03-10T15:00:00.250-0500", "2027-03-10T20:00:00.250Z"),
        ("2027-03-10T15:00+01", "2027-03-10T14:00:00Z"),
    ])
    func readsDatesAndDateTimes(text: String, expected: String) throws {
        let calendar = try Fixtures.calendar("America/New_York")
        #expect(calendar.instant(parsingAttribute: text) == (try Fixtures.instant(expected)))
    }

    @Test func aDateOnlyAttributeIsNineInTheMorningWhereTheProspectIs() throws {
        let kolkata = try Fixtures.calendar("Asia/Kolkata")
        let auckland = try Fixtures.calendar("Pacific/Auckland")
        #expect(ProspectCalendar.dateOnlyAttributeTime.description == "09:00")
        #expect(kolkata.instant(parsingAttribute: "2027-03-10") == (try Fixtures.instant("2027-03-10T09:00:00+05:30")))
        #expect(auckland.instant(parsingAttribute: "2027-03-10") == (try Fixtures.instant("2027-03-10T09:00:00+13:00")))
    }

    @Test(arguments: [
        "", "next tuesday", "2027-02-30", "2027-3-10", "10/03/2027", "2027-03-10T25:00", "2027-03-10T15",
        "2027-03-10T15:00:00+5", "2027-03-10T15:00:00Zjunk", "2027-03-10T15:00:00+15:00", "２０２７-03-10",
    ])
    func refusesWhatIsNotADate(text: String) throws {
        #expect(try Fixtures.calendar("America/New_York").instant(parsingAttribute: text) == nil)
    }
}

/// Instants and the prospect's wall clock.
struct WallClockTests {
    @Test func aSkippedWallTimeIsTheFirstInstantAfterTheGap() throws {
        let newYork = try Fixtures.calendar("America/New_York")
        let twoThirty = try #require(TimeOfDay(hour: 2, minute: 30))
        #expect(
            newYork.instant(on: try Fixtures.date("2027-03-14"), at: twoThirty)
                == (try Fixtures.instant("2027-03-14T03:00:00-04:00")))
    }

    @Test func aRepeatedWallTimeIsItsFirstOccurrence() throws {
        let berlin = try Fixtures.calendar("Europe/Berlin")
        let twoThirty = try #require(TimeOfDay(hour: 2, minute: 30))
        #expect(
            berlin.instant(on: try Fixtures.date("2026-10-25"), at: twoThirty)
                == (try Fixtures.instant("2026-10-25T02:30:00+02:00")))
    }

    @Test func datesAndWeekdaysAreThoseOfTheProspectsZone() throws {
        // Sunday evening in UTC is already Monday morning in Auckland, across the date line.
        let instant = try Fixtures.instant("2026-11-08T19:30:00Z")
        let auckland = try Fixtures.calendar("Pacific/Auckland")
        let newYork = try Fixtures.calendar("America/New_York")
        #expect(auckland.weekday(of: instant) == .mon)
        #expect(auckland.localDate(of: instant) == (try Fixtures.date("2026-11-09")))
        #expect(newYork.weekday(of: instant) == .sun)
        #expect(newYork.localDate(of: instant) == (try Fixtures.date("2026-11-08")))
        #expect(auckland.localTimestamp(of: instant) == "Mon 2026-11-09 08:30")
        #expect(try Fixtures.calendar("Asia/Kolkata").localTimestamp(of: instant) == "Mon 2026-11-09 01:00")
    }

    @Test func holidaysAreLookedUpByDate() throws {
        let calendar = try Fixtures.calendar("UTC", holidays: ["2026-12-25"])
        #expect(calendar.isHoliday(try Fixtures.date("2026-12-25")))
        #expect(!calendar.isHoliday(try Fixtures.date("2026-12-26")))
    }

    @Test func aProspectWithoutAZoneGetsTheCampaigns() throws {
        let campaign = try Fixtures.sampleCampaign("web-lead-followup")
        #expect(ProspectCalendar(campaign: campaign, prospectTimeZone: nil).timeZone.identifier == "America/New_York")
        let kolkata = try Fixtures.zone("Asia/Kolkata")
        let calendar = ProspectCalendar(campaign: campaign, prospectTimeZone: kolkata)
        #expect(calendar.timeZone == kolkata)
        #expect(calendar.holidays == campaign.holidays)
    }
}
