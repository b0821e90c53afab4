/// How big each workload is.
struct Sizes: Codable, Sendable {
    var name: String
    /// Steps all due at once, for the throughput workload.
    var sendsAtOnce: Int
    /// Prospects waiting in a seven-step campaign: the small and the large population.
    var smallPopulation: Int
    var largePopulation: Int
    /// Sends falling due evenly over `timerSpread` seconds.
    var timedSends: Int
    var timerSpread: Double
    /// The peer's workload (and Nurture's, measured beside it): delayed sends over `timerSpread`, and sends at once.
    var peerSends: Int
    /// How long the daemon runs before its memory is read while everything waits.
    var settleSeconds: Double

    static let full = Sizes(
        name: "full", sendsAtOnce: 5_000, smallPopulation: 10_000, largePopulation: 1_000_000, timedSends: 100_000,
        timerSpread: 60, peerSends: 10_000, settleSeconds: 3)
    static let quick = Sizes(
        name: "quick", sendsAtOnce: 500, smallPopulation: 1_000, largePopulation: 10_000, timedSends: 2_000,
        timerSpread: 10, peerSends: 2_000, settleSeconds: 3)
    static let smoke = Sizes(
        name: "smoke", sendsAtOnce: 40, smallPopulation: 100, largePopulation: 1_000, timedSends: 100,
        timerSpread: 2, peerSends: 50, settleSeconds: 1)
}

/// What one workload learns that a later one needs: how fast an import goes, to leave time before sends fall due.
struct Calibration {
    var importRowsPerSecond: Double?
}
