import ArgumentParser
import Dispatch
import Foundation
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore

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

    @OptionGroup var options: ConfigOptions
    @Option(help: "Run the engine's clock this many times faster than real time.") var timeScale: Double?
    @Option(help: "Where the virtual clock starts (ISO 8601; with --time-scale).") var clockStart: String?

    func run() throws {
        let clock = try makeClock()
        let runtime = try Runtime(options: options, clock: clock)
        // A second daemon on the same state would release the first one's claims and call its sends uncertain.
        let lock = try Self.lockState(runtime.workspace.configuration.state)
        defer { close(lock) }
        for problem in runtime.workspace.campaigns.errors { log("warning: \(problem)") }
        let settings = runtime.settings
        var transports: [any MailTransport] = []
        do {
            for _ in 0..<settings.connections {
                transports.append(try CurlSMTPTransport(settings: runtime.workspace.configuration.smtp))
            }
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        let runner = try runtime.runner()
        let scheduler = Scheduler(runner: runner, transports: transports) { report in
            log(Self.describe(report))
        }
        let recovery = try scheduler.recover()
        if recovery.uncertain > 0 {
            log(
                "\(recovery.uncertain) sends were in flight when the engine last stopped; not resent (see nurture status)"
            )
        }
        let campaigns = runtime.workspace.campaigns.campaigns.count
        log(
            "nurture running: \(campaigns) campaigns, state \(runtime.workspace.configuration.databasePath), clock \(TimeFormat.utc(clock.now()))"
        )
        scheduler.start()
        Self.waitForTermination()
        log("stopping: finishing sends in progress")
        scheduler.stop(timeout: 30)
        // With --time-scale, a restart can go on from here with --clock-start.
        log("stopped; engine clock at \(TimeFormat.utc(clock.now()))")
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

    /// Blocks until SIGINT or SIGTERM.
    static func waitForTermination() {
        let done = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        // A parent may start us with these blocked (Swift's test runner does); they must reach the source.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        for source in sources { source.cancel() }
    }
}

/// One line on stderr, flushed at once (a daemon's log may be read live).
func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
