import ArgumentParser
import Foundation
import NurtureCampaigns

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate every campaign in a folder.",
        discussion: "Prints each problem as path:line:col: error|warning: message. Exits 1 if any is an error."
    )

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The campaigns folder (default: `campaigns:` from the configuration).")
    var directory: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let folder = try directory ?? options.load().campaigns
        let set = CampaignLoader.load(directory: folder)
        if json {
            try JSONOutput.print(JSONReport(set))
        } else {
            for diagnostic in set.diagnostics { print(diagnostic) }
            let steps = set.campaigns.reduce(0) { $0 + $1.steps.count }
            let summary =
                "\(set.campaigns.count) campaign\(set.campaigns.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s"): "
                + "\(set.errors.count) error\(set.errors.count == 1 ? "" : "s"), "
                + "\(set.warnings.count) warning\(set.warnings.count == 1 ? "" : "s")"
            print(summary)
        }
        if !set.errors.isEmpty { throw ExitCode.failure }
    }
}

private struct JSONReport: Encodable {
    struct Entry: Encodable {
        let file: String
        let line: Int
        let column: Int
        let severity: String
        let message: String
    }

    struct CampaignEntry: Encodable {
        let id: String
        let file: String
        let steps: [String]
    }

    let campaigns: [CampaignEntry]
    let diagnostics: [Entry]

    init(_ set: CampaignSet) {
        campaigns = set.campaigns.map { CampaignEntry(id: $0.id, file: $0.path, steps: $0.steps.map(\.id)) }
        diagnostics = set.diagnostics.map {
            Entry(
                file: $0.location.file, line: $0.location.line, column: $0.location.column,
                severity: $0.severity.rawValue, message: $0.message)
        }
    }
}
