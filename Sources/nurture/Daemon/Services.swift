import Foundation
import Logging
import NurtureService
import ServiceLifecycle
import UnixSignals

/// The scheduler as a service: sends from the start; on graceful shutdown stops claiming, lets the sends in
/// progress finish (at most `engine.drain_timeout`) and returns once everything is recorded.
struct SchedulerService: Service {
    let daemon: Daemon

    func run() async throws {
        daemon.scheduler.start()
        // Returns when shutdown begins; throws when the group is cancelled instead. Either way: drain.
        try? await gracefulShutdown()
        await daemon.drain()
        daemon.logger.info("stopped; engine clock at \(TimeFormat.utc(daemon.clock.now()))")
    }
}

/// Everything the daemon says to systemd: `READY=1` once the HTTP server listens, `RELOADING=1`/`READY=1` around
/// each SIGHUP reload, `STATUS=` and `WATCHDOG=1` while it runs, `STOPPING=1` as soon as shutdown begins. Last in
/// the group, so it is the first to hear of shutdown.
struct SystemdService: Service {
    let daemon: Daemon
    /// Yields once the HTTP server is listening (at once without one).
    let ready: AsyncStream<Void>
    /// Trapped before the group starts, so a SIGHUP sent right after start is never lost.
    let hangups: UnixSignalsSequence

    func run() async throws {
        for await _ in ready.cancelOnGracefulShutdown() { break }
        guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
        let notifier = daemon.notifier
        notifier.notify(["READY=1", "STATUS=\(daemon.statusLine())"])
        let heartbeat = Heartbeat(notifier: notifier, status: { [daemon] in daemon.statusLine() })
        heartbeat.start()
        for await _ in hangups.cancelOnGracefulShutdown() {
            await daemon.reload()
        }
        heartbeat.stop()
        notifier.notify(["STOPPING=1", "STATUS=stopping: finishing sends in progress"])
        daemon.logger.info("stopping: finishing sends in progress")
    }
}

/// SIGTERM and SIGINT, trapped from the daemon's first moment (a stop sent while the state is still being opened
/// is kept, not fatal): the first one ends this service, which shuts the group down gracefully.
struct StopSignalService: Service {
    let signals: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            logger.info("\(signal) received")
            return
        }
    }
}
