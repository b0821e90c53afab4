import Foundation
import Testing

@testable import NurtureEngine

/// The timer's rule for claiming ahead: once the earliest step is half the lead away, everything within the lead.
struct ClaimTimingTests {
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func theEarliestStepIsClaimedOnceItIsHalfTheLeadAway() {
        let timing = ClaimTiming(lead: 0.05)
        #expect(!timing.claimsNow(earliest: now.addingTimeInterval(0.026), now: now))
        #expect(timing.claimsNow(earliest: now.addingTimeInterval(0.025), now: now))
        #expect(timing.claimsNow(earliest: now.addingTimeInterval(-5), now: now))
        #expect(!timing.claimsNow(earliest: nil, now: now))
        #expect(timing.lookAgain(for: now.addingTimeInterval(1)) == now.addingTimeInterval(0.975))
    }

    @Test func aClaimTakesEveryStepDueWithinTheWholeLead() {
        let timing = ClaimTiming(lead: 0.05)
        #expect(timing.horizon(now: now) == now.addingTimeInterval(0.05))
    }

    /// Steps falling due every 0.6 ms (100,000 over a minute): each claim takes at least half a lead's worth.
    @Test func stepsFallingDueOneAfterAnotherAreClaimedInBatches() {
        let timing = ClaimTiming(lead: 0.05)
        let dues = (0..<1000).map { now.addingTimeInterval(Double($0) * 0.0006) }
        var clock = now
        var next = 0
        var batches: [Int] = []
        while next < dues.count {
            // The timer fires when told to look again, and claims everything within the horizon.
            clock = max(clock, timing.lookAgain(for: dues[next]))
            #expect(timing.claimsNow(earliest: dues[next], now: clock))
            let horizon = timing.horizon(now: clock)
            let claimed = dues[next...].prefix { $0 <= horizon }.count
            batches.append(claimed)
            next += claimed
        }
        #expect(batches.dropLast().allSatisfy { $0 >= 41 })
    }

    @Test func withoutALeadOnlyWhatIsDueIsClaimed() {
        let timing = ClaimTiming(lead: 0)
        #expect(timing.claimsNow(earliest: now, now: now))
        #expect(!timing.claimsNow(earliest: now.addingTimeInterval(0.001), now: now))
        #expect(timing.horizon(now: now) == now)
        #expect(timing.lookAgain(for: now) == now)
    }
}
