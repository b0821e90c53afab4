import CoreMetrics
import Prometheus

/// The daemon's Prometheus metrics, recorded through swift-metrics into a registry of its own (so tests and two
/// daemons in one process never share counters), and exposed as Prometheus text by `GET /metrics`.
///
/// - `nurture_sends_total{outcome}`: every step handled, by what became of it.
/// - `nurture_steps_due` / `nurture_steps_pending`: steps whose time has come, and those still to come.
/// - `nurture_send_lateness_seconds`: engine time from a step's due time to its SMTP transaction starting.
/// - `nurture_smtp_duration_seconds`: real time of one SMTP transaction, by result.
public final class EngineMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let sends: [String: CoreMetrics.Counter]
    private let due: CoreMetrics.Gauge
    private let pending: CoreMetrics.Gauge
    private let lateness: CoreMetrics.Timer
    private let smtp: [String: CoreMetrics.Timer]

    /// - Parameter outcomes: every name `recordStep` may be given, so each series reads 0 before its first step.
    public init(outcomes: [String]) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Lateness is milliseconds when all is well and hours after downtime; SMTP is tens of milliseconds to
        // the response timeout.
        factory.durationHistogramBuckets["nurture_send_lateness_seconds"] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(50),
            .milliseconds(250), .seconds(1), .seconds(5), .seconds(30), .seconds(300), .seconds(3600),
        ]
        factory.durationHistogramBuckets["nurture_smtp_duration_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120),
        ]
        self.factory = factory
        // Made up front, so every series reads 0 before the first send rather than being absent.
        sends = Dictionary(
            uniqueKeysWithValues: outcomes.map {
                ($0, CoreMetrics.Counter(label: "nurture_sends_total", dimensions: [("outcome", $0)], factory: factory))
            })
        due = CoreMetrics.Gauge(label: "nurture_steps_due", factory: factory)
        pending = CoreMetrics.Gauge(label: "nurture_steps_pending", factory: factory)
        lateness = CoreMetrics.Timer(label: "nurture_send_lateness_seconds", factory: factory)
        smtp = Dictionary(
            uniqueKeysWithValues: ["delivered", "transient_failure", "permanent_failure"].map {
                (
                    $0,
                    CoreMetrics.Timer(
                        label: "nurture_smtp_duration_seconds", dimensions: [("result", $0)], factory: factory)
                )
            })
    }

    /// One step handled; `lateness` when it reached the SMTP server.
    public func recordStep(outcome: String, lateness: Duration?) {
        sends[outcome]?.increment()
        if let lateness { self.lateness.recordNanoseconds(Self.nanoseconds(max(lateness, .zero))) }
    }

    /// One SMTP transaction: `result` is `delivered`, `transient_failure` or `permanent_failure`.
    public func recordSMTP(result: String, duration: Duration) {
        smtp[result]?.recordNanoseconds(Self.nanoseconds(duration))
    }

    public func setQueue(due: Int, pending: Int) {
        self.due.record(due)
        self.pending.record(pending)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String {
        registry.emitToString()
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
