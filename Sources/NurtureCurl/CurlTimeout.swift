/// A timeout as libcurl's options take it (a C long of milliseconds or of seconds), rounded up so a timeout is
/// never shorter than asked, and capped at a year. Nil for a timeout that is not above zero.
package enum CurlTimeout {
    // A year: far beyond any sane timeout, far below what a C long holds in milliseconds.
    static let longest = Duration.seconds(365 * 24 * 3600)

    package static func milliseconds(_ duration: Duration) -> Int? {
        guard let (seconds, attoseconds) = clamped(duration)?.components else { return nil }
        let partial = attoseconds > 0 ? (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000 : 0
        return Int(seconds) * 1000 + Int(partial)
    }

    package static func wholeSeconds(_ duration: Duration) -> Int? {
        guard let (seconds, attoseconds) = clamped(duration)?.components else { return nil }
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    private static func clamped(_ duration: Duration) -> Duration? {
        duration > .zero ? min(duration, longest) : nil
    }
}
