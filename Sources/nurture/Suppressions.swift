import ArgumentParser
import Foundation
import NurtureCore
import NurtureHTTP
import NurtureStore

extension Operations {
    /// Puts every address of a CSV (`email`, optional `reason`) on the suppression list for good and ends their
    /// running sequences. Bad rows are reported by line and skipped; the rest are kept.
    func importSuppressions(_ stream: InputStream, name: String, source: String) throws(APIError)
        -> SuppressionImportReport
    {
        var rows: CSVRows
        do {
            rows = try CSVRows(stream: stream, name: name, required: "email")
        } catch {
            throw .invalid("body", (error as? CommandFailure)?.message ?? "\(error)")
        }
        var report = SuppressionImportReport()
        var entries: [(email: EmailAddress, reason: String)] = []
        while let (line, row) = rows.next() {
            report.read += 1
            switch row {
            case .failure(let error): report.bad.append(.init(line: line, message: error.message))
            case .success(let values):
                do {
                    let reason = values["reason"].flatMap { $0.isEmpty ? nil : $0 } ?? "imported"
                    entries.append((try EmailAddress(values["email"] ?? ""), reason))
                } catch {
                    report.bad.append(.init(line: line, message: "\(error)"))
                }
            }
        }
        if let failure = rows.failure { report.bad.append(.init(line: failure.line, message: failure.message)) }
        let now = runtime.clock.now()
        do {
            report.added = try runtime.store.suppress(entries, source: source, at: now)
            for entry in entries {
                guard let prospect = try runtime.store.prospect(email: entry.email) else { continue }
                report.sequencesEnded += try runtime.store.endEnrollments(
                    prospectID: prospect.id, campaignID: nil, reason: .suppressed, at: now
                ).count
            }
        } catch {
            throw .internalError("state database: \(error)")
        }
        return report
    }

    /// The suppression list as CSV: `email,reason,since,source`, oldest first.
    func exportSuppressions() throws(APIError) -> String {
        let list: [Suppression]
        do {
            list = try runtime.store.suppressions()
        } catch {
            throw .internalError("state database: \(error)")
        }
        return
            (["email,reason,since,source"]
            + list.map { entry in
                [entry.email.description, entry.reason, TimeFormat.utc(entry.since), entry.source].map(Self.csvField)
                    .joined(separator: ",")
            }).joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// What importing a suppression list did.
struct SuppressionImportReport: Codable, Sendable {
    struct BadRow: Codable, Sendable {
        let line: Int
        let message: String
    }

    var read = 0
    /// Addresses not suppressed before.
    var added = 0
    var sequencesEnded = 0
    var bad: [BadRow] = []

    enum CodingKeys: String, CodingKey {
        case read, added, bad
        case sequencesEnded = "sequences_ended"
    }
}

struct SuppressionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppressions",
        abstract: "Import or export the suppression list (CSV).",
        subcommands: [Import.self, Export.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suppress every address in a CSV file, for good.",
            discussion: """
                The header row needs an `email` column; a `reason` column is kept with each address (default \
                `imported`). Running sequences of those addresses end at once. Bad rows are reported as \
                FILE:LINE and skipped. An address already suppressed keeps its first reason.
                """)

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() throws {
            guard let stream = InputStream(fileAtPath: file), FileManager.default.isReadableFile(atPath: file) else {
                throw CommandFailure(message: "cannot read \(file)")
            }
            let report: SuppressionImportReport
            do {
                report = try Operations(runtime: try Runtime(options: options))
                    .importSuppressions(stream, name: file, source: "cli import")
            } catch let error as APIError {
                throw CommandFailure(error)
            }
            for bad in report.bad {
                FileHandle.standardError.write(Data("\(file):\(bad.line): error: \(bad.message)\n".utf8))
            }
            if json { return try JSONOutput.print(report) }
            print(
                "\(report.read) rows read: \(report.added) addresses newly suppressed, "
                    + "\(report.sequencesEnded) running sequences ended; \(report.bad.count) bad rows skipped")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the suppression list as CSV: email,reason,since,source.")

        @OptionGroup var options: ConfigOptions
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            let csv: String
            do {
                csv = try Operations(runtime: try Runtime(options: options)).exportSuppressions()
            } catch let error as APIError {
                throw CommandFailure(error)
            }
            guard let output else { return print(csv, terminator: "") }
            do {
                try Data(csv.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure(message: "cannot write \(output): \(error.localizedDescription)")
            }
        }
    }
}
