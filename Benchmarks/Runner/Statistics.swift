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

/// Lateness of timed sends, in milliseconds.
struct LatenessSummary: Codable {
    let sent: Int
    let expected: Int
    let p50: Double?
    let p99: Double?
    let max: Double?

    init(latenessMilliseconds: [Double], expected: Int) {
        let sorted = latenessMilliseconds.sorted()
        sent = sorted.count
        self.expected = expected
        p50 = Statistics.percentile(50, ofSorted: sorted)
        p99 = Statistics.percentile(99, ofSorted: sorted)
        max = sorted.last
    }
}
