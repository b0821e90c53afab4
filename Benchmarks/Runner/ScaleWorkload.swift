import Foundation

/// A small and a large population imported into a seven-step campaign whose first step is days away: import
/// speed, the daemon's memory while they all wait, its time to READY=1, and the database's size per prospect.
struct ScaleWorkload {
    let tools: Tools
    let sink: SMTPSink
    let sizes: Sizes
    let runs: Int
    let largeRuns: Int

    private struct Sample {
        var importRate: Double
        /// The same prospects imported from a file listing them in no particular order.
        var shuffledImportRate: Double
        var ready: Double
        var memory: ProcessMemory
        var bytesPerProspect: Double
    }

    func run(calibration: inout Calibration) throws -> [Figure] {
        let small = sizes.smallPopulation
        let large = sizes.largePopulation
        var samples: [Int: [Sample]] = [:]
        for population in [small, large] {
            let folder = FileManager.default.temporaryDirectory
            let csv = folder.appendingPathComponent("nurture-bench-\(population).csv")
            let shuffled = folder.appendingPathComponent("nurture-bench-\(population)-shuffled.csv")
            try ProspectFile.write(count: population, to: csv)
            try ProspectFile.write(count: population, to: shuffled, shuffled: true)
            defer {
                try? FileManager.default.removeItem(at: csv)
                try? FileManager.default.removeItem(at: shuffled)
            }
            let runs = population == large ? largeRuns : runs
            for run in 1...runs {
                let sample = try measure(population: population, csv: csv, shuffled: shuffled)
                samples[population, default: []].append(sample)
                Progress.say(
                    "scale \(population), run \(run)/\(runs): import \(Int(sample.importRate)) rows/s "
                        + "(shuffled \(Int(sample.shuffledImportRate))), READY in "
                        + "\(Int(sample.ready * 1000)) ms, RSS \(sample.memory.residentBytes >> 20) MiB "
                        + "(peak \(sample.memory.peakResidentBytes >> 20)), \(Int(sample.bytesPerProspect)) B/prospect")
            }
        }
        let smallRuns = samples[small] ?? []
        let largeRuns = samples[large] ?? []
        calibration.importRowsPerSecond = Statistics.median(smallRuns.map(\.importRate))
        func mebibytes(_ runs: [Sample], peak: Bool = false) -> [Double] {
            runs.map { Double(peak ? $0.memory.peakResidentBytes : $0.memory.residentBytes) / 1_048_576 }
        }
        let name = { (count: Int) in count.formatted(.number.grouping(.automatic)) }
        return [
            Figure(
                "scale", "import \(name(small)) prospects", unit: "rows/s", runs: smallRuns.map(\.importRate),
                target: "≥ 100,000 rows/s", isMet: { $0 >= 100_000 }),
            Figure(
                "scale", "import \(name(large)) prospects", unit: "rows/s", runs: largeRuns.map(\.importRate),
                target: "≥ 100,000 rows/s", isMet: { $0 >= 100_000 }),
            Figure(
                "scale", "import \(name(small)) prospects, addresses shuffled", unit: "rows/s",
                runs: smallRuns.map(\.shuffledImportRate), target: "≥ 100,000 rows/s", isMet: { $0 >= 100_000 }),
            Figure(
                "scale", "import \(name(large)) prospects, addresses shuffled", unit: "rows/s",
                runs: largeRuns.map(\.shuffledImportRate), target: "≥ 100,000 rows/s", isMet: { $0 >= 100_000 }),
            Figure(
                "scale", "daemon RSS, \(name(small)) waiting", unit: "MiB", runs: mebibytes(smallRuns),
                target: "≤ 100 MB", isMet: { $0 * 1_048_576 <= 100_000_000 }),
            Figure(
                "scale", "daemon RSS, \(name(large)) waiting", unit: "MiB", runs: mebibytes(largeRuns),
                reference: "\(name(small)) waiting", referenceRuns: mebibytes(smallRuns),
                target: "≤ 100 MB and ≤ 1.5 × \(name(small))",
                isMet: { $0 <= 1.5 }),
            Figure(
                "scale", "daemon peak RSS (VmHWM), \(name(small))", unit: "MiB", runs: mebibytes(smallRuns, peak: true)),
            Figure(
                "scale", "daemon peak RSS (VmHWM), \(name(large))", unit: "MiB", runs: mebibytes(largeRuns, peak: true)),
            Figure(
                "scale", "start to READY=1, \(name(small)) pending", unit: "ms", runs: smallRuns.map { $0.ready * 1000 }
            ),
            Figure(
                "scale", "start to READY=1, \(name(large)) pending", unit: "ms",
                runs: largeRuns.map { $0.ready * 1000 },
                target: "≤ 1,000 ms", isMet: { $0 <= 1000 }),
            Figure(
                "scale", "database per prospect, \(name(large))", unit: "bytes",
                runs: largeRuns.map(\.bytesPerProspect)),
        ].map(Self.largeRSSJudged)
    }

    /// The large population's RSS meets its target only if it is both under 100 MB and under 1.5 × the small one.
    private static func largeRSSJudged(_ figure: Figure) -> Figure {
        guard figure.referenceName != nil, let value = figure.nurture, let met = figure.met else { return figure }
        var judged = figure
        judged.met = met && value * 1_048_576 <= 100_000_000
        return judged
    }

    private func measure(population: Int, csv: URL, shuffled: URL) throws -> Sample {
        let shuffledImport = try {
            let workspace = try Workspace(campaign: .sevenSteps, smtpPort: sink.port, connections: 4)
            defer { workspace.remove() }
            return try NurtureCLI(tools: tools, workspace: workspace).importProspects(from: shuffled, count: population)
        }()
        let workspace = try Workspace(campaign: .sevenSteps, smtpPort: sink.port, connections: 4)
        defer { workspace.remove() }
        let imported = try NurtureCLI(tools: tools, workspace: workspace).importProspects(from: csv, count: population)
        let daemon = try DaemonProcess(nurture: tools.nurture, workspace: workspace)
        defer { daemon.stop() }
        let ready = try daemon.waitUntilReady()
        // Long enough for the scheduler to have looked at the store a few times (it polls every half second).
        pause(sizes.settleSeconds)
        let memory = try daemon.memory()
        daemon.stop()
        return Sample(
            importRate: Double(population) / imported.seconds,
            shuffledImportRate: Double(population) / shuffledImport.seconds, ready: ready, memory: memory,
            bytesPerProspect: Double(workspace.databaseBytes) / Double(population))
    }
}
