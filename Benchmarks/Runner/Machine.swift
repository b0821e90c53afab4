import Foundation

/// What the figures were measured on.
struct Machine: Codable {
    let processors: Int
    let model: String
    let memoryBytes: Int
    let kernel: String
    let loadAverageAtStart: String
    var loadAverageAtEnd: String?
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
            kernel: "Linux \(release)", loadAverageAtStart: loadAverage(), loadAverageAtEnd: nil,
            date: Date().formatted(.iso8601))
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }

    var summary: String {
        "\(processors) CPUs (\(model)), \(memoryBytes / (1 << 20)) MiB, \(kernel); "
            + "load average \(loadAverageAtStart) at start, \(loadAverageAtEnd ?? "?") at end"
    }
}
