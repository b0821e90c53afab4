import Foundation

/// When the scheduler's timer claims steps, given how far ahead of its instant a step may be claimed, composed and
/// recorded as in flight (`lead`): once the earliest step is due within half the lead, and then every step due
/// within the whole lead. With no lead, both are now.
///
/// While steps fall due one after another (a timed campaign, several a millisecond), claiming whenever the earliest
/// came within the lead took the one or two due since the last claim, each with a transaction, a compose on every
/// core and a commit of its own. This way each claim takes half a lead's worth of them, and every step is still
/// claimed at least half the lead before its instant.
struct ClaimTiming: Sendable {
    let lead: TimeInterval

    init(lead: TimeInterval) {
        self.lead = max(0, lead)
    }

    /// Whether to claim now, the earliest unclaimed step being due at `earliest` (nil: none is).
    func claimsNow(earliest: Date?, now: Date) -> Bool {
        earliest.map { $0 <= now.addingTimeInterval(lead / 2) } ?? false
    }

    /// When to look again for a step due at `earliest`.
    func lookAgain(for earliest: Date) -> Date {
        earliest.addingTimeInterval(-lead / 2)
    }

    /// A claim takes every step due by this.
    func horizon(now: Date) -> Date {
        now.addingTimeInterval(lead)
    }
}
