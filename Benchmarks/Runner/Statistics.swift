/// Medians and percentiles of samples.
enum Statistics {
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Nearest-rank percentile (`p` in 0...100) of already sorted values.
    static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Lateness of timed sends, in milliseconds. Sends that had not gone out when the run stopped count with their
/// lateness at that moment, a lower bound: then the percentiles they reach are lower bounds too.
struct LatenessSummary: Codable {
    let sent: Int
    let expected: Int
    let p50: Double?
    let p99: Double?
    let max: Double?
    /// True when unsent sends reach p50, p99 or max, which are then "at least".
    let lowerBounds: Bool

    init(latenessMilliseconds: [Double], unsentLowerBounds: [Double] = [], expected: Int) {
        let sorted = (latenessMilliseconds + unsentLowerBounds).sorted()
        sent = latenessMilliseconds.count
        self.expected = expected
        let figures = [
            Statistics.percentile(50, ofSorted: sorted), Statistics.percentile(99, ofSorted: sorted), sorted.last,
        ]
        (p50, p99, max) = (figures[0], figures[1], figures[2])
        lowerBounds = unsentLowerBounds.min().map { bound in figures.contains { ($0 ?? 0) >= bound } } ?? false
    }
}
