import Foundation

/// The `nurture` commands the workloads run on a workspace, checked as they go.
struct NurtureCLI {
    let tools: Tools
    let workspace: Workspace

    struct Imported {
        let seconds: Double
    }

    /// Writes `count` prospects to a CSV and runs `nurture import` on it; the time is the whole command's.
    func importProspects(count: Int, sendAt: ((Int) -> String)? = nil) throws -> Imported {
        let csv = workspace.folder.appendingPathComponent("prospects.csv")
        try ProspectFile.write(count: count, to: csv, sendAt: sendAt)
        return try importProspects(from: csv, count: count)
    }

    func importProspects(from csv: URL, count: Int) throws -> Imported {
        let result = try Command.run(
            tools.nurture,
            ["import", workspace.campaign.id, csv.path, "--config", workspace.configuration.path, "--json"],
            in: workspace.folder)
        let summary =
            (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        guard result.status == 0, summary["enrolled"] as? Int == count else {
            throw BenchError(
                "nurture import enrolled \(summary["enrolled"] ?? "nothing") of \(count): \(result.stderr)")
        }
        return Imported(seconds: result.seconds)
    }

    /// The message the prospect `email` (first_name Pat, company Initech, like every imported one) would get.
    func preview(email: String) throws -> [UInt8] {
        let result = try Command.run(
            tools.nurture,
            [
                "preview", workspace.campaign.id, "guide", "--email", email, "--var", "first_name=Pat", "--var",
                "company=Initech", "--config", workspace.configuration.path,
            ], in: workspace.folder)
        guard result.status == 0 else { throw BenchError("nurture preview failed: \(result.stderr)") }
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
