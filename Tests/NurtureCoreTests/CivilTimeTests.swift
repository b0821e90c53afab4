import Foundation
import NurtureCore
import Testing

/// The calendar arithmetic agrees with Foundation's ISO 8601 formatter from 1900 to 2100, milliseconds included.
struct CivilTimeTests {
    @Test func readsEveryFewDaysFrom1900To2100AsFoundationWritesThem() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var milliseconds: Int64 = -2_208_988_800_000 + 3_723_042
        while milliseconds < 4_102_444_800_000 {
            // Whole milliseconds, built from integers, so both sides read the same instant.
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(CivilTime(date).iso8601WithMilliseconds == formatter.string(from: date), "\(milliseconds)")
            milliseconds += 86_400_000 * 3 + 3_601_007
        }
    }

    @Test func weekdaysCountFromSunday() {
        // 2026-11-23 was a Monday; 1970-01-01 a Thursday; 1969-12-31 a Wednesday.
        #expect(CivilTime(Date(timeIntervalSince1970: 1_795_392_000)).weekday == 1)
        #expect(CivilTime(Date(timeIntervalSince1970: 0)).weekday == 4)
        #expect(CivilTime(Date(timeIntervalSince1970: -1)).weekday == 3)
    }

    @Test func aMomentJustBeforeASecondRoundsToTheNearestMillisecond() {
        let time = CivilTime(Date(timeIntervalSince1970: 59.9996))
        #expect((time.minute, time.second, time.millisecond) == (1, 0, 0))
    }
}
