import Foundation

/// The table and the JSON file.
struct Report: Codable {
    var machine: Machine
    let sizes: Sizes
    let runs: Int
    let largeRuns: Int
    let peerRuns: Int
    var figures: [Figure] = []

    init(machine: Machine, sizes: Sizes, runs: Int, largeRuns: Int, peerRuns: Int) {
        self.machine = machine
        self.sizes = sizes
        self.runs = runs
        self.largeRuns = largeRuns
        self.peerRuns = peerRuns
    }

    mutating func add(_ figures: [Figure]) {
        self.figures += figures
    }

    /// - Parameter cpuAtStart: the machine's CPU times when the run began, for the share stolen over it.
    mutating func finish(cpuAtStart: CPUTimes?) {
        machine.loadAverageAtEnd = Machine.loadAverage()
        machine.stolenPercent = cpuAtStart.flatMap { start in CPUTimes.now()?.stolenPercent(since: start) }
    }

    func write(to file: URL) throws {
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: file)
    }

    var table: String {
        let header = ["workload", "figure", "Nurture", "compared with", "ratio", "target", "met"]
        let rows = figures.map { figure -> [String] in
            [
                figure.workload, figure.name,
                Self.format(figure.nurture, unit: figure.unit),
                figure.referenceName.map { "\($0): \(Self.format(figure.reference, unit: figure.unit))" } ?? "",
                figure.ratio.map { String(format: "%.2f", $0) } ?? "",
                figure.target ?? "",
                figure.met.map { $0 ? "yes" : "NO" } ?? "",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| "
                + zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: " | ") + " |"
        }
        var text = [
            line(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|",
        ]
        text += rows.map(line)
        text.append("")
        text.append(
            "sizes: \(sizes.name); medians of \(runs) runs (\(largeRuns) for the large population, \(peerRuns) for the "
                + "peer); ratios are medians of each run's ratio")
        text.append("machine: \(machine.summary)")
        for figure in figures where figure.note != nil {
            text.append("note, \(figure.workload) / \(figure.name): \(figure.note!)")
        }
        return text.joined(separator: "\n")
    }

    static func format(_ value: Double?, unit: String) -> String {
        guard let value else { return "n/a" }
        let number: String
        switch abs(value) {
        case 1000...: number = Int(value.rounded()).formatted(.number.grouping(.automatic))
        case 100...: number = String(format: "%.0f", value)
        case 10...: number = String(format: "%.1f", value)
        default: number = String(format: "%.2f", value)
        }
        return unit.isEmpty ? number : "\(number) \(unit)"
    }
}
