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
/// each SIGHUP reload, `STATUS=` and `WATCHDOG=1` while it runs, `STOPPING=1` when shutdown reaches it. Last in the
/// group, so it is the first service to hear of shutdown.
///
/// The heartbeat runs as async code on purpose: were the process's threads all stuck (the concurrency pool
/// starved, a deadlock), `WATCHDOG=1` would stop and systemd would restart the daemon.
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
        // READY=1 at once: the status line counts every pending step, which takes a moment with millions.
        notifier.notify(["READY=1"])
        notifier.notify(["STATUS=\(await daemon.currentStatusLine())"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [daemon, hangups] in
                for await _ in hangups.cancelOnGracefulShutdown() { await daemon.reload() }
            }
            if notifier.isEnabled {
                group.addTask { [daemon] in
                    let interval = min(notifier.watchdogInterval ?? 5, 5)
                    while (try? await Task.sleep(for: .seconds(interval))) != nil, !Task.isShuttingDownGracefully {
                        var fields = ["STATUS=\(await daemon.currentStatusLine())"]
                        if notifier.watchdogInterval != nil { fields.append("WATCHDOG=1") }
                        notifier.notify(fields)
                    }
                }
            }
            // Whichever ends first (the hangups, at shutdown) ends the other.
            await group.next()
            group.cancelAll()
        }
        notifier.notify(["STOPPING=1", "STATUS=stopping: finishing sends in progress"])
        daemon.logger.info("stopping: finishing sends in progress")
    }
}

/// SIGTERM and SIGINT, trapped from the daemon's first moment: the first one stops the scheduler's claims at once
/// and ends this service, which shuts the rest of the group down gracefully.
struct StopSignalService: Service {
    let signals: UnixSignalsSequence
    let daemon: Daemon

    func run() async throws {
        for await signal in signals.cancelOnGracefulShutdown() {
            daemon.beginStop()
            daemon.logger.info("\(signal) received")
            return
        }
    }
}
