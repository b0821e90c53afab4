import Foundation
import NurtureCampaigns

/// How the engine paces and retries; `nurture.yml`'s `engine:` section.
public struct EngineSettings: Sendable, Equatable {
    /// The least time between two emails to one prospect across all campaigns; a campaign's `min_gap` may add.
    public var minimumGap: Wait?
    /// SMTP connections used at once; each is reused from message to message.
    public var connections: Int
    /// Sends claimed from the store per wake-up.
    public var batchSize: Int
    /// Messages per second across all connections; nil for no limit.
    public var messagesPerSecond: Double?
    /// Connections to one recipient domain at once.
    public var connectionsPerDomain: Int
    /// Attempts at one step before it is marked failed and the owner is told.
    public var maxAttempts: Int
    /// The first retry's delay; each next one doubles, with jitter, up to `maxRetryDelay`.
    public var firstRetryDelay: TimeInterval
    public var maxRetryDelay: TimeInterval
    /// How often, in real seconds, the daemon looks for changes made by the CLI.
    public var pollInterval: TimeInterval
    /// On stop, how long sends already talking to a server may take to finish; below systemd's TimeoutStopSec.
    public var drainTimeout: TimeInterval
    /// A click from a prospect with no click or reply for this long (or whose sequences have ended) alerts the
    /// owner: the best moment to call.
    public var quietAfter: TimeInterval = 30 * 86400
    /// At most one owner alert per prospect in this time.
    public var alertInterval: TimeInterval = 86400

    public init(
        minimumGap: Wait? = Wait(1, .days), connections: Int = 4, batchSize: Int = 200,
        messagesPerSecond: Double? = nil, connectionsPerDomain: Int = 2, maxAttempts: Int = 8,
        firstRetryDelay: TimeInterval = 60, maxRetryDelay: TimeInterval = 6 * 3600, pollInterval: TimeInterval = 0.5,
        drainTimeout: TimeInterval = 30
    ) {
        self.minimumGap = minimumGap
        self.connections = connections
        self.batchSize = batchSize
        self.messagesPerSecond = messagesPerSecond
        self.connectionsPerDomain = connectionsPerDomain
        self.maxAttempts = maxAttempts
        self.firstRetryDelay = firstRetryDelay
        self.maxRetryDelay = maxRetryDelay
        self.pollInterval = pollInterval
        self.drainTimeout = drainTimeout
    }

    /// The delay before attempt `attempt + 1`: exponential from `firstRetryDelay`, capped, with ±25 % jitter so
    /// a thousand messages that failed together do not all come back together.
    public func retryDelay(afterAttempt attempt: Int, jitter: Double) -> TimeInterval {
        let exponential = firstRetryDelay * pow(2, Double(max(0, attempt - 1)))
        let capped = min(exponential, maxRetryDelay)
        return capped * (1 + 0.25 * (2 * min(max(jitter, 0), 1) - 1))
    }
}
