import Dispatch
import Foundation
import NurtureService

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
