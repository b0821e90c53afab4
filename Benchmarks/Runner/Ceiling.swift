import Foundation
import NurtureCore
import NurtureSMTP
import Synchronization

/// The ceiling: the same message sent with raw libcurl (`CurlSMTPTransport`, one reused connection per thread),
/// no engine, no SQLite, no rendering, to the same sink over the same number of connections.
enum Ceiling {
    struct Result {
        let delivered: Int
        let failed: Int
        /// From the moment every thread was told to go to the last message's end.
        let seconds: Double
        /// CPU time this process used meanwhile (the sending threads, libcurl and the kernel's side of the sockets).
        let cpuSeconds: Double
        var messagesPerSecond: Double { Double(delivered) / seconds }
    }

    static func send(_ message: [UInt8], count: Int, connections: Int, url: String) throws -> Result {
        let settings = SMTPSettings(url: url, tls: .none)
        let transports = try (0..<connections).map { _ in try CurlSMTPTransport(settings: settings) }
        let from = try EmailAddress("dana@acme.example")
        let recipients = try (0..<count).map { try EmailAddress(ProspectFile.email($0)) }
        let next = Atomic<Int>(0)
        let delivered = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for transport in transports {
            done.enter()
            Thread {
                go.wait()
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < count else { break }
                    switch transport.send(message, from: from, to: recipients[index]) {
                    case .delivered: delivered.add(1, ordering: .relaxed)
                    default: failed.add(1, ordering: .relaxed)
                    }
                }
                done.leave()
            }.start()
        }
        let started = ContinuousClock.now
        let cpuAtStart = processCPUSeconds()
        for _ in transports { go.signal() }
        done.wait()
        return Result(
            delivered: delivered.load(ordering: .relaxed), failed: failed.load(ordering: .relaxed),
            seconds: (ContinuousClock.now - started).seconds, cpuSeconds: processCPUSeconds() - cpuAtStart)
    }

    /// User and system CPU time of this whole process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
