import Foundation
import Logging
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureMail
import NurtureSMTP
import NurtureService
import NurtureStore
import Synchronization

/// The running daemon: what a reload replaces (configuration, campaigns, scheduler, API token) and what the API,
/// the status line and `nurture status` read. The store and the campaign catalog live as long as the process.
final class Daemon: Sendable {
    let options: ConfigOptions
    let store: SQLiteStore
    let catalog: CampaignCatalog
    let clock: any WallClock
    let logger: Logger
    let notifier: SystemdNotifier
    let metrics = EngineMetrics(outcomes: StepRunOutcome.metricNames)
    let alerts = AlertSender()
    /// Clicks are recorded here, in order, after their redirect has gone out.
    let clicks = DispatchQueue(label: "nurture.clicks")
    let startedAt: Date
    /// Beside the database, for every scheduler the process makes: which steps in flight reached SMTP.
    let journal: SendJournal?
    private let state: Mutex<State>

    private struct State {
        var runtime: Runtime
        /// `runtime`'s SMTP settings with the password, to tell whether a reload changed them.
        var smtp: SMTPSettings
        var scheduler: Scheduler
        /// Checks unsubscribe and click tokens with the configured secret.
        var signer: LinkSigner
        /// Owner alerts' own connection, so an alert never waits behind a burst of campaign sends.
        var alertTransport: any MailTransport
        var token: APIToken
        var apiAddress: String?
        var lastReloadAt: Date?
        var reloadError: String?
        var lastSendError: String?
    }

    /// - Parameter configuration: read once by the caller, which has already locked its state folder.
    init(
        options: ConfigOptions, configuration: Configuration, clock: any WallClock, logger: Logger,
        notifier: SystemdNotifier
    ) throws {
        self.options = options
        self.clock = clock
        self.logger = logger
        self.notifier = notifier
        let runtime = try Runtime(configuration: configuration, clock: clock)
        store = runtime.store
        catalog = runtime.catalog
        startedAt = clock.now()
        let smtp = try Self.smtpSettings(configuration)
        // The HTTP server is made once, at start: its token stays what it was when a reload turns the API off.
        let token = try Self.token(configuration)
        let signer = try Self.signer(configuration)
        let alertTransport = try Self.transport(smtp, metrics: metrics)
        // `self` is not whole yet: the first scheduler reports through a box filled in just below.
        let reporter = Reporter()
        journal = SendJournal(path: configuration.databasePath + "-sending")
        let scheduler = try Self.makeScheduler(
            runtime: runtime, smtp: smtp, metrics: metrics, journal: journal, report: reporter.report,
            problem: reporter.problem, notice: reporter.notice)
        state = Mutex(
            State(
                runtime: runtime, smtp: smtp, scheduler: scheduler, signer: signer, alertTransport: alertTransport,
                token: token))
        reporter.daemon.withLock { $0 = self }
    }

    var runtime: Runtime { state.withLock { $0.runtime } }
    var signer: LinkSigner { state.withLock { $0.signer } }

    var linkActivity: LinkActivity {
        let runtime = self.runtime
        return LinkActivity(store: store, catalog: catalog, clock: clock, settings: runtime.settings)
    }

    /// Alerts to campaign owners, through their own connection.
    var ownerAlerts: OwnerAlerts {
        get throws {
            let (runtime, transport) = state.withLock { ($0.runtime, $0.alertTransport) }
            return OwnerAlerts(
                store: store, clock: clock, settings: runtime.settings, composer: try runtime.workspace.composer(),
                transport: transport)
        }
    }
    var scheduler: Scheduler { state.withLock { $0.scheduler } }
    var configuration: Configuration { runtime.workspace.configuration }

    /// The API's token, read on every request so a reload can rotate it.
    var token: APIToken { state.withLock { $0.token } }

    /// Set when a stop begins: no reload starts a scheduler after it.
    private let stopping = Atomic<Bool>(false)

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// The first thing a stop does, before any service is told: no more claims, no reload swaps.
    func beginStop() {
        stopping.store(true, ordering: .relaxed)
        scheduler.beginStop()
    }

    func setAPIAddress(_ address: String?) {
        state.withLock { $0.apiAddress = address }
    }

    // MARK: Sends

    /// One log line per step handled, its metrics, and the last failure for `STATUS=` and `nurture status`.
    func report(_ step: StepReport) {
        let line = RunCommand.describe(step)
        metrics.recordStep(outcome: step.outcome.metricName, lateness: step.lateness.map { .seconds($0) })
        switch step.outcome {
        case .delivered, .rescheduled, .skipped: logger.info("\(line)")
        case .retrying, .dropped: logger.warning("\(line)")
        case .failed, .bounced, .uncertain:
            logger.error("\(line)")
            state.withLock { $0.lastSendError = line }
        }
    }

    /// Something could not work (the state database, the reply mailbox): logged, and shown as the last error.
    func problem(_ text: String, level: Logger.Level = .error) {
        logger.log(level: level, "\(text)")
        state.withLock { $0.lastSendError = text }
    }

    /// Sending works again after a problem: logged, and the problem no longer shown as the last error.
    func resumed(_ text: String) {
        logger.notice("\(text)")
        state.withLock { $0.lastSendError = nil }
    }

    /// Stops the scheduler: no new claims, sends in progress get `engine.drain_timeout` to finish.
    func drain() async {
        let scheduler = self.scheduler
        let timeout = runtime.settings.drainTimeout
        let drained = await Self.offload { scheduler.stop(timeout: timeout) }
        if !drained {
            logger.warning("sends still in progress after \(Int(timeout)) s; they will be reported as uncertain")
        }
    }

    // MARK: Reload

    /// SIGHUP: reads nurture.yml and the campaign folder again. Either all of it is applied (campaigns swapped
    /// atomically, a new scheduler when SMTP or engine settings changed, a new API token) or, when anything is
    /// wrong, none of it, and the error is logged and kept for `nurture status`.
    func reload() async {
        notifier.notify(["RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())"])
        // The old scheduler's drain time, read before the reload swaps the settings.
        let (old, timeout) = (scheduler, runtime.settings.drainTimeout)
        if let replacement = await Self.offload({ self.prepareReload() }) {
            // The old scheduler finishes its batch before the new one claims: never two at once, however long
            // a slow relay keeps that batch.
            while await !Self.offload({ old.stop(timeout: timeout) }) {
                logger.warning("reload: the previous SMTP settings' sends are still in progress; waiting")
            }
            state.withLock { $0.scheduler = replacement }
            if stopping.load(ordering: .relaxed) {
                replacement.beginStop()
            } else {
                replacement.start()
            }
        }
        notifier.notify(["READY=1", "STATUS=\(await currentStatusLine())"])
    }

    /// Applies a reload, or refuses it; returns a new scheduler when the old one must make way for it.
    private func prepareReload() -> Scheduler? {
        let old = runtime
        let next: Runtime
        let smtp: SMTPSettings
        let token: APIToken
        let signer: LinkSigner
        do {
            let configuration = try options.load()
            guard configuration.state == old.workspace.configuration.state else {
                throw CommandFailure(
                    message: "`state` changed from \(old.workspace.configuration.state) to \(configuration.state); "
                        + "moving the state folder takes a restart")
            }
            let campaigns = CampaignLoader.load(directory: configuration.campaigns)
            for problem in campaigns.errors.dropFirst() { logger.error("reload refused: \(problem)") }
            if let first = campaigns.errors.first {
                throw CommandFailure(message: first.description + Workspace.more(campaigns.errors.count - 1))
            }
            next = Runtime(
                workspace: Workspace(configuration: configuration, campaigns: campaigns, clock: clock), store: store,
                catalog: catalog)
            smtp = try Self.smtpSettings(configuration)
            token = configuration.api.enabled ? try Self.token(configuration) : self.token
            signer = try Self.signer(configuration)
        } catch {
            let message = (error as? CommandFailure)?.message ?? "\(error)"
            logger.error("reload refused, the running campaigns are unchanged: \(message)")
            state.withLock { $0.reloadError = message }
            return nil
        }
        let before = old.workspace.configuration
        let after = next.workspace.configuration
        if after.api != before.api {
            logger.warning("`api` changed; the HTTP server keeps its address and limits until a restart")
        }
        var replacement: Scheduler?
        var alertTransport: (any MailTransport)?
        let current = state.withLock { $0.smtp }
        if smtp != current || after.engine != before.engine || after.publicURL != before.publicURL
            || after.secretFile != before.secretFile
        {
            do {
                replacement = try Self.makeScheduler(
                    runtime: next, smtp: smtp, metrics: metrics, journal: journal, report: report,
                    problem: { [self] in problem($0) }, notice: { [self] in resumed($0) })
                alertTransport = try Self.transport(smtp, metrics: metrics)
            } catch {
                let message = (error as? CommandFailure)?.message ?? "\(error)"
                logger.error("reload refused, the running campaigns are unchanged: \(message)")
                state.withLock { $0.reloadError = message }
                return nil
            }
        }
        catalog.replace(with: next.workspace.campaigns)
        let now = clock.now()
        state.withLock { state in
            state.runtime = next
            state.smtp = smtp
            state.token = token
            state.signer = signer
            if let alertTransport { state.alertTransport = alertTransport }
            state.lastReloadAt = now
            state.reloadError = nil
        }
        let changes = replacement == nil ? "" : "; SMTP, engine or link settings changed, sends go on with the new ones"
        logger.info("reloaded \(next.workspace.campaigns.campaigns.count) campaigns\(changes)")
        return replacement
    }

    // MARK: Status

    /// `statusLine()`, read off the concurrency pool (it asks SQLite).
    func currentStatusLine() async -> String {
        await Self.offload { self.statusLine() }
    }

    /// `STATUS=`: what `systemctl status` shows.
    private func statusLine() -> String {
        var parts: [String] = []
        if let summary = try? store.summary(now: clock.now()) {
            parts.append("\(summary.pending + summary.dueNow) pending")
            parts.append(summary.nextDueAt.map { "next due \(TimeFormat.utc($0))" } ?? "nothing due")
        }
        let (reloadError, sendError) = state.withLock { ($0.reloadError, $0.lastSendError) }
        if let reloadError { parts.append("reload refused: \(reloadError)") }
        if let sendError { parts.append("last error: \(sendError)") }
        return parts.joined(separator: "; ")
    }

    /// The daemon's part of `nurture status`.
    var status: StatusReport.Daemon {
        state.withLock {
            StatusReport.Daemon(
                pid: getpid(), startedAt: startedAt, lastReloadAt: $0.lastReloadAt, reloadError: $0.reloadError,
                lastSendError: $0.lastSendError, api: $0.apiAddress)
        }
    }

    // MARK: Parts

    private static func smtpSettings(_ configuration: Configuration) throws -> SMTPSettings {
        do {
            return try configuration.smtpSettings()
        } catch {
            throw CommandFailure(message: error.diagnostics.first?.description ?? "\(error)")
        }
    }

    private static func token(_ configuration: Configuration) throws -> APIToken {
        // Under systemd the token is a credential (LoadCredential=api-token), like the SMTP password.
        do {
            return try APIToken.loadOrCreate(at: configuration.api.tokenFile)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    /// How long, in real time, before its instant a step is claimed, composed and recorded as in flight: a few
    /// commits' worth, so its SMTP transaction starts on the millisecond. A step recorded ahead is in flight for
    /// that long (as are the steps waiting for a connection, at most two chunks of `Scheduler.chunkSize`); the send
    /// journal has the next start send it after all if the process dies before it reached SMTP.
    static let composeAhead: TimeInterval = 0.05

    private static func makeScheduler(
        runtime: Runtime, smtp: SMTPSettings, metrics: EngineMetrics, journal: SendJournal?,
        report: @escaping @Sendable (StepReport) -> Void, problem: @escaping @Sendable (String) -> Void,
        notice: @escaping @Sendable (String) -> Void
    ) throws -> Scheduler {
        let transports = try (0..<runtime.settings.connections).map { _ in try transport(smtp, metrics: metrics) }
        return Scheduler(
            runner: try runtime.runner(), transports: transports,
            lead: runtime.clock.interval(overReal: composeAhead), onOutcome: report, onProblem: problem,
            onNotice: notice, journal: journal)
    }

    private static func transport(_ smtp: SMTPSettings, metrics: EngineMetrics) throws -> any MailTransport {
        do {
            return TimedTransport(try CurlSMTPTransport(settings: smtp), metrics: metrics)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    private static func signer(_ configuration: Configuration) throws -> LinkSigner {
        do {
            return LinkSigner(secret: try LinkSigner.loadOrCreateSecret(at: configuration.secretFile))
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    /// Runs blocking work (SQLite, SMTP, a drain) off the concurrency pool's few threads.
    static func offload<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    /// Lets the first scheduler report to the daemon that creates it.
    private final class Reporter: Sendable {
        let daemon = Mutex<Daemon?>(nil)

        var report: @Sendable (StepReport) -> Void {
            { [self] step in daemon.withLock { $0 }?.report(step) }
        }

        var problem: @Sendable (String) -> Void {
            { [self] text in daemon.withLock { $0 }?.problem(text) }
        }

        var notice: @Sendable (String) -> Void {
            { [self] text in daemon.withLock { $0 }?.resumed(text) }
        }
    }
}

/// A transport that times each SMTP transaction for `nurture_smtp_duration_seconds`.
struct TimedTransport: MailTransport {
    let inner: any MailTransport
    let metrics: EngineMetrics

    init(_ inner: any MailTransport, metrics: EngineMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    func send(_ message: [UInt8], from: EmailAddress, to: EmailAddress) -> DeliveryResult {
        let start = ContinuousClock.now
        let result = inner.send(message, from: from, to: to)
        let name =
            switch result {
            case .delivered: "delivered"
            case .transientFailure: "transient_failure"
            case .permanentFailure: "permanent_failure"
            }
        metrics.recordSMTP(result: name, duration: ContinuousClock.now - start)
        return result
    }
}

extension StepRunOutcome {
    /// Every `metricName`.
    static let metricNames = [
        "delivered", "rescheduled", "skipped", "retrying", "failed", "bounced", "uncertain", "dropped",
    ]

    /// Its name in `nurture_sends_total{outcome=...}`.
    var metricName: String {
        switch self {
        case .delivered: "delivered"
        case .rescheduled: "rescheduled"
        case .skipped: "skipped"
        case .retrying: "retrying"
        case .failed: "failed"
        case .bounced: "bounced"
        case .uncertain: "uncertain"
        case .dropped: "dropped"
        }
    }
}
