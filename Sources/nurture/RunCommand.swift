import ArgumentParser
import Dispatch
import Foundation
import Logging
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureService
import NurtureStore
import Synchronization

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the scheduler in the foreground until SIGINT or SIGTERM.",
        discussion: """
            Sends every step when it falls due, through `engine.connections` SMTP connections. Changes made by \
            other nurture commands (enroll, event, stop) are picked up within a second. With --time-scale N the \
            engine runs on a virtual clock N times faster than real time, from --clock-start (default: now); \
            message Date: headers carry the engine's time.
            """
    )

    /// Below the unit's TimeoutStopSec (45 s), so systemd never has to kill a draining daemon.
    static let drainTimeout: TimeInterval = 30

    @OptionGroup var options: ConfigOptions
    @Option(help: "Run the engine's clock this many times faster than real time.") var timeScale: Double?
    @Option(help: "Where the virtual clock starts (ISO 8601; with --time-scale).") var clockStart: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger(label: "nurture") { _ in ServiceLogHandler(style: ServiceLogHandler.style(for: environment))
        }
        let notifier = SystemdNotifier(environment: environment)
        let clock = try makeClock()
        let runtime = try Runtime(options: options, clock: clock)
        // A second daemon on the same state would release the first one's claims and call its sends uncertain.
        let lock = try Self.lockState(runtime.workspace.configuration.state)
        defer { close(lock) }
        for problem in runtime.workspace.campaigns.errors { logger.warning("\(problem)") }
        let settings = runtime.settings
        var transports: [any MailTransport] = []
        do {
            let smtp = try runtime.workspace.configuration.smtpSettings()
            for _ in 0..<settings.connections {
                transports.append(try CurlSMTPTransport(settings: smtp))
            }
        } catch let error as ConfigurationError {
            throw CommandFailure(message: error.diagnostics.first?.description ?? "\(error)")
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let health = DaemonHealth()
        let scheduler = Scheduler(runner: try runtime.runner(), transports: transports) { report in
            let line = Self.describe(report)
            switch report.outcome {
            case .delivered, .rescheduled, .skipped: logger.info("\(line)")
            case .retrying, .dropped: logger.warning("\(line)")
            case .failed, .bounced:
                logger.error("\(line)")
                health.lastError.withLock { $0 = line }
            }
        }
        let recovery = try scheduler.recover()
        if recovery.uncertain > 0 {
            logger.warning(
                "\(recovery.uncertain) sends were in flight when the engine last stopped; not resent (see nurture status)"
            )
        }
        logger.info(
            "nurture running: \(runtime.catalog.campaigns.campaigns.count) campaigns, state \(runtime.workspace.configuration.databasePath), clock \(TimeFormat.utc(clock.now()))"
        )
        scheduler.start()
        let status: @Sendable () -> String = { Self.statusLine(runtime: runtime, health: health) }
        let signals = DaemonSignals {
            notifier.notify(["RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())"])
            Self.reloadCampaigns(runtime: runtime, logger: logger, health: health)
            notifier.notify(["READY=1", "STATUS=\(status())"])
        }
        notifier.notify(["READY=1", "STATUS=\(status())"])
        let heartbeat = Heartbeat(notifier: notifier, status: status)
        heartbeat.start()
        signals.waitForStop()

        notifier.notify(["STOPPING=1", "STATUS=stopping: finishing sends in progress"])
        heartbeat.stop()
        logger.info("stopping: finishing sends in progress")
        if !scheduler.stop(timeout: Self.drainTimeout) {
            logger.warning(
                "sends still in progress after \(Int(Self.drainTimeout)) s; they will be reported as uncertain")
        }
        // With --time-scale, a restart can go on from here with --clock-start.
        logger.info("stopped; engine clock at \(TimeFormat.utc(clock.now()))")
    }

    /// SIGHUP: a campaign folder without errors replaces the running set at once; one with errors changes
    /// nothing, and its errors are logged (and shown by `nurture status`, which reads the folder).
    static func reloadCampaigns(runtime: Runtime, logger: Logger, health: DaemonHealth) {
        let fresh = CampaignLoader.load(directory: runtime.workspace.configuration.campaigns)
        guard fresh.errors.isEmpty else {
            for problem in fresh.errors { logger.error("reload refused: \(problem)") }
            let first = fresh.errors.first.map(\.description) ?? ""
            health.lastError.withLock { $0 = "reload refused: \(first)" }
            return
        }
        runtime.catalog.replace(with: fresh)
        logger.info("reloaded \(fresh.campaigns.count) campaigns")
    }

    /// `STATUS=`: what `systemctl status` shows.
    static func statusLine(runtime: Runtime, health: DaemonHealth) -> String {
        var parts: [String] = []
        if let summary = try? runtime.store.summary(now: runtime.clock.now()) {
            parts.append("\(summary.pending + summary.dueNow) pending")
            parts.append(summary.nextDueAt.map { "next due \(TimeFormat.utc($0))" } ?? "nothing due")
        }
        if let error = health.lastError.withLock({ $0 }) { parts.append("last error: \(error)") }
        return parts.joined(separator: "; ")
    }

    private func makeClock() throws -> any WallClock {
        guard let timeScale else {
            if clockStart != nil { throw CommandFailure(message: "--clock-start needs --time-scale") }
            return SystemClock()
        }
        guard timeScale > 0 else { throw CommandFailure(message: "--time-scale must be above 0") }
        let start =
            try clockStart.map { text in
                guard let date = TimeFormat.parse(text) else {
                    throw CommandFailure(message: "--clock-start `\(text)` is not ISO 8601, like 2026-11-23T09:00:00Z")
                }
                return date
            } ?? Date()
        return ScaledClock(start: start, scale: timeScale)
    }

    /// Holds `STATE/nurture.lock` for the life of the process; the kernel lets go if it dies.
    static func lockState(_ folder: String) throws -> Int32 {
        let path = folder + "/nurture.lock"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw CommandFailure(message: "another `nurture run` is already using \(folder); stop it first")
        }
        return descriptor
    }

    /// One line per step: what happened, to whom, in which campaign, with the server's code.
    static func describe(_ report: StepReport) -> String {
        let step = report.campaignID.map { "\($0)/\(report.due.stepID)" } ?? "step \(report.due.stepID)"
        let what = "\(step) (enrollment \(report.due.enrollmentID)" + (report.prospect.map { ", \($0))" } ?? ")")
        switch report.outcome {
        case .delivered(let reply): return "sent \(what): \(reply.code) \(reply.text)"
        case .rescheduled(let date): return "moved \(what) to \(TimeFormat.utc(date))"
        case .skipped(let reason): return "skipped \(what): \(reason)"
        case .retrying(let date, let failure): return "retrying \(what) at \(TimeFormat.utc(date)): \(failure)"
        case .failed(let failure): return "failed \(what), gave up: \(failure)"
        case .bounced(let failure): return "bounced \(what): \(failure)"
        case .dropped(let reason): return "dropped \(what): \(reason)"
        }
    }
}
