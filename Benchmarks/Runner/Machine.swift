import Foundation
import Synchronization

/// What the figures were measured on.
struct Machine: Codable {
    let processors: Int
    let model: String
    let memoryBytes: Int
    let kernel: String
    let loadAverageAtStart: String
    var loadAverageAtEnd: String?
    /// The share of the machine's CPU time the host gave to other guests from start to end (see `CPUTimes`).
    var stolenPercent: Double?
    let date: String

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kilobytes =
            meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Machine(
            processors: ProcessInfo.processInfo.activeProcessorCount, model: model, memoryBytes: kilobytes * 1024,
            kernel: "Linux \(release)", loadAverageAtStart: loadAverage(), date: Date().formatted(.iso8601))
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }

    var summary: String {
        "\(processors) CPUs (\(model)), \(memoryBytes / (1 << 20)) MiB, \(kernel); "
            + "load average \(loadAverageAtStart) at start, \(loadAverageAtEnd ?? "?") at end"
            + (stolenPercent.map { String(format: "; %.1f %% of the CPU time stolen by the host", $0) } ?? "")
    }
}

/// The machine's CPU time so far, from the first line of /proc/stat: all of it, and the part "stolen", when this
/// virtual machine wanted a processor and the host ran another guest on it. On a shared machine the stolen part
/// is what makes one run's figures differ from the next.
struct CPUTimes: Sendable {
    let total: UInt64
    let stolen: UInt64

    static func now() -> CPUTimes? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        // user nice system idle iowait irq softirq steal, then guest times already counted in user and nice.
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }
        guard ticks.count == 8 else { return nil }
        return CPUTimes(total: ticks.reduce(0, +), stolen: ticks[7])
    }

    /// The stolen share of the CPU time since `earlier`, in percent; nil if no time passed.
    func stolenPercent(since earlier: CPUTimes) -> Double? {
        guard total > earlier.total else { return nil }
        return Double(stolen - earlier.stolen) * 100 / Double(total - earlier.total)
    }
}

/// The stolen share while a workload runs: over the whole of it, and over its worst second.
final class StealMeter: Sendable {
    struct Reading: Codable {
        let meanPercent: Double
        let worstSecondPercent: Double
    }

    private let first: CPUTimes?
    private let samples: Mutex<Samples>
    private let wake = DispatchSemaphore(value: 0)

    private struct Samples {
        var last: CPUTimes?
        var worst: Double = 0
        var stopped = false
    }

    init() {
        first = CPUTimes.now()
        samples = Mutex(Samples(last: first))
        DispatchQueue(label: "nurture-bench.steal").async { [self] in
            while wake.wait(timeout: .now() + 1) == .timedOut { sample() }
        }
    }

    private func sample() {
        guard let now = CPUTimes.now() else { return }
        samples.withLock { samples in
            if let last = samples.last, let share = now.stolenPercent(since: last) {
                samples.worst = max(samples.worst, share)
            }
            samples.last = now
        }
    }

    /// Stops sampling (a second call does nothing more); nil where /proc/stat cannot be read.
    @discardableResult
    func stop() -> Reading? {
        let (wasStopped, worst) = samples.withLock { samples in
            defer { samples.stopped = true }
            return (samples.stopped, samples.worst)
        }
        if !wasStopped { wake.signal() }
        guard let first, let mean = CPUTimes.now()?.stolenPercent(since: first) else { return nil }
        // A run shorter than a second has no whole second: its mean is its worst.
        return Reading(meanPercent: mean, worstSecondPercent: max(mean, worst))
    }
}
