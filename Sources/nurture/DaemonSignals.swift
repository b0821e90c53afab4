import Dispatch
import Foundation
import NurtureService
import Synchronization

/// What the daemon reports about itself beyond the store's counts.
final class DaemonHealth: Sendable {
    let lastError = Mutex<String?>(nil)
}

/// The signals a daemon answers: SIGHUP reloads, SIGINT and SIGTERM stop. Installed before the daemon says it is
/// ready, so a `systemctl reload` right after start is never lost.
final class DaemonSignals: @unchecked Sendable {
    // The sources are created in `init` and cancelled in `waitForStop`, both on the caller's thread.
    private let done = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "nurture.signals")
    private var sources: [DispatchSourceSignal] = []

    /// `reload` runs on its own queue, one SIGHUP at a time.
    init(reload: @escaping @Sendable () -> Void) {
        // A parent may start us with these blocked (Swift's test runner does); they must reach the sources.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [done] in
                if number == SIGHUP { reload() } else { done.signal() }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Blocks until SIGINT or SIGTERM.
    func waitForStop() {
        done.wait()
        for source in sources { source.cancel() }
    }
}

/// `STATUS=` every few seconds and `WATCHDOG=1` as often as systemd asked, while the daemon runs.
final class Heartbeat: Sendable {
    private let notifier: SystemdNotifier
    private let status: @Sendable () -> String
    private let queue = DispatchQueue(label: "nurture.heartbeat")
    private let slot = TimerSlot()

    /// The timer; touched only on `queue`, which is what makes the unchecked Sendable safe.
    private final class TimerSlot: @unchecked Sendable {
        var timer: DispatchSourceTimer?
    }

    init(notifier: SystemdNotifier, status: @escaping @Sendable () -> String) {
        self.notifier = notifier
        self.status = status
    }

    func start() {
        guard notifier.isEnabled else { return }
        let interval = min(notifier.watchdogInterval ?? 5, 5)
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { [notifier, status] in
            var fields = ["STATUS=\(status())"]
            if notifier.watchdogInterval != nil { fields.append("WATCHDOG=1") }
            notifier.notify(fields)
        }
        queue.sync {
            slot.timer = source
            source.resume()
        }
    }

    func stop() {
        queue.sync {
            slot.timer?.cancel()
            slot.timer = nil
        }
    }
}
