import Foundation
import Logging
import NurtureCore
import NurtureService
import NurtureTestSupport
import Synchronization
import Testing

struct SystemdNotifierTests {
    @Test func sendsEachMessageAsOneDatagramToTheNotifySocket() throws {
        let receiver = try NotifyReceiver()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
        #expect(notifier.isEnabled)
        #expect(notifier.notify(["READY=1", "STATUS=3 pending"]))
        #expect(receiver.next() == "READY=1\nSTATUS=3 pending")
    }

    @Test func aLineBreakInAValueCannotForgeAField() throws {
        let receiver = try NotifyReceiver()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
        notifier.notify(["STATUS=bad\nREADY=1"])
        #expect(receiver.next() == "STATUS=bad READY=1")
    }

    @Test func withoutSystemdNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(!notifier.notify(["READY=1"]))
    }

    @Test func theWatchdogIntervalIsHalfWhatSystemdAsksForAndOnlyForThisProcess() {
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]).watchdogInterval == 15)
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"]).watchdogInterval
                == 15)
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
    }
}

struct ServiceLogHandlerTests {
    final class Lines: Sendable {
        let items = Mutex<[String]>([])
    }

    @Test func underSystemdLinesCarryAPriorityAndNoTimestamp() {
        let lines = Lines()
        var handler = ServiceLogHandler(style: .journald) { line in lines.items.withLock { $0.append(line) } }
        handler.logLevel = .debug
        let logger = Logger(label: "test", factory: { _ in handler })
        logger.info("sent", metadata: ["campaign": "web-lead-followup"])
        logger.error("failed\nforged line")
        #expect(lines.items.withLock { $0 } == ["<6>sent campaign=web-lead-followup\n", "<3>failed forged line\n"])
    }

    @Test func onATerminalLinesCarryTheTimeAndLevel() {
        let lines = Lines()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_442_400))
        let handler = ServiceLogHandler(style: .terminal, clock: clock) { line in
            lines.items.withLock { $0.append(line) }
        }
        Logger(label: "test", factory: { _ in handler }).warning("slow")
        #expect(lines.items.withLock { $0 } == ["2026-11-23T14:00:00.000Z warning slow\n"])
    }

    @Test func theJournalStyleIsChosenWhenJournalStreamIsSet() {
        #expect(ServiceLogHandler.style(for: ["JOURNAL_STREAM": "8:12345"]) == .journald)
        #expect(ServiceLogHandler.style(for: [:]) == .terminal)
    }
}
