import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureSMTP
import NurtureService
import NurtureStore
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon in the foreground: the scheduler and the HTTP API, until SIGINT or SIGTERM.",
        discussion: """
            Sends every step when it falls due, through `engine.connections` SMTP connections, and serves the API \
            on `api.listen` (default 127.0.0.1:8080) with the bearer token in `api.token_file`. CLI commands use \
            the API while the daemon runs, so their changes reach the timer at once. SIGHUP reloads nurture.yml \
            and the campaigns (all or nothing); SIGTERM and SIGINT stop claiming work, let sends in progress \
            finish for at most `engine.drain_timeout` and exit 0. Under systemd it reports READY, RELOADING, \
            STOPPING, STATUS and WATCHDOG. With --time-scale N the engine runs on a virtual clock N times faster \
            than real time, from --clock-start (default: now); message Date: headers carry the engine's time.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Run the engine's clock this many times faster than real time.") var timeScale: Double?
    @Option(help: "Where the virtual clock starts (ISO 8601; with --time-scale).") var clockStart: String?

    func run() async throws {
        // Before any thread of ours allocates: the heap's thresholds are the whole process's.
        HeapRetention.keepFreedMemory()
        // Trapped from the first moment: a stop or a reload sent while the state is still being opened is kept
        // for later, never the default action (which would kill the process).
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger(label: "nurture") { _ in ServiceLogHandler(style: ServiceLogHandler.style(for: environment))
        }
        let clock = try makeClock()
        let configuration = try options.load()
        // A second daemon on the same state would release the first one's claims and call its sends uncertain.
        let lock = try Self.lockState(configuration)
        defer { close(lock) }
        // A daemon killed outright left its address behind; until this one listens, the CLI must not trust it.
        try? FileManager.default.removeItem(atPath: configuration.apiAddressFile)
        let daemon = try Daemon(
            options: options, configuration: configuration, clock: clock, logger: logger,
            notifier: SystemdNotifier(environment: environment))
        for problem in daemon.runtime.workspace.campaigns.errors { logger.warning("\(problem)") }
        let recovery: RecoveryReport
        do {
            recovery = try daemon.scheduler.recover()
        } catch {
            throw CommandFailure(message: "cannot recover the state database: \(error)")
        }
        if recovery.givenBack > 0 {
            logger.notice(
                "\(recovery.givenBack) sends were in flight when the engine last stopped but had not reached SMTP; they go out now"
            )
        }
        if recovery.uncertain > 0 {
            logger.warning(
                "\(recovery.uncertain) sends were in flight when the engine last stopped; not resent (see nurture status)"
            )
        }
        let (ready, isReady) = AsyncStream<Void>.makeStream()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(
                service: StopSignalService(signals: stops, daemon: daemon),
                successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: SchedulerService(daemon: daemon)),
        ]
        if configuration.api.enabled {
            services.append(.init(service: Self.httpServer(daemon: daemon, logger: logger) { isReady.yield() }))
        } else {
            isReady.yield()
        }
        services.append(.init(service: InboxService(daemon: daemon)))
        services.append(.init(service: SystemdService(daemon: daemon, ready: ready, hangups: hangups)))
        logger.info(
            "nurture running: \(daemon.catalog.campaigns.campaigns.count) campaigns, state \(configuration.databasePath), clock \(TimeFormat.utc(clock.now()))"
        )
        var group = ServiceGroupConfiguration(services: services, logger: logger)
        // A backstop only: the scheduler's own drain ends well before this.
        group.maximumGracefulShutdownDuration = .seconds(daemon.runtime.settings.drainTimeout + 10)
        defer { try? FileManager.default.removeItem(atPath: configuration.apiAddressFile) }
        do {
            try await ServiceGroup(configuration: group).run()
        } catch {
            throw CommandFailure(message: Self.describe(error, configuration: configuration))
        }
    }

    /// The HTTP server on `api.listen`; once it listens, its address goes to `STATE/api.address` for the CLI.
    static func httpServer(daemon: Daemon, logger: Logger, onListening: @escaping @Sendable () -> Void)
        -> some Service
    {
        let api = daemon.configuration.api
        let router = NurtureRoutes.router(
            backend: DaemonAPI(daemon: daemon), links: DaemonLinks(daemon: daemon), token: { daemon.token },
            maxBodyBytes: api.maxBodyBytes)
        var serverLogger = logger
        serverLogger.logLevel = .notice
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(api.host, port: api.port), serverName: nil),
            onServerRunning: { channel in
                var listening = api
                listening.port = channel.localAddress?.port ?? api.port
                let address = "http://\(listening.authority)"
                do {
                    try Data((address + "\n").utf8).write(
                        to: URL(fileURLWithPath: daemon.configuration.apiAddressFile), options: .atomic)
                } catch {
                    let file = daemon.configuration.apiAddressFile
                    daemon.logger.error(
                        "cannot write \(file): \(error); CLI commands will use the state database directly")
                }
                daemon.setAPIAddress(address)
                daemon.logger.info("API listening on \(address)")
                onListening()
            },
            logger: serverLogger)
    }

    /// A service that failed: binding the API's port is the usual one.
    static func describe(_ error: any Error, configuration: Configuration) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "cannot listen on \(configuration.api.authority): the address is in use; set `api.listen` in "
                + "nurture.yml to a free port, or `off`"
        }
        return text
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
    static func lockState(_ configuration: Configuration) throws -> Int32 {
        let folder = configuration.state
        let path = configuration.lockFile
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
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
        case .uncertain(let failure): return "uncertain \(what), not resent: \(failure)"
        case .dropped(let reason): return "dropped \(what): \(reason)"
        }
    }
}
