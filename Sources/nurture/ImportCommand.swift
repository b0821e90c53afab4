import ArgumentParser
import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureStore
import Synchronization

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Enroll many prospects from a CSV file.",
        discussion: """
            The first row names the columns: `email` (required), optionally `timezone` and `preferred_channel` \
            (email or phone); every other column becomes a prospect field for the templates. A bad row is \
            reported as FILE:LINE and skipped; the good ones are kept. A progress bar shows on a terminal.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The campaign id.") var campaign: String
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Restart prospects already in the campaign.") var restart = false
    @Flag(help: "Print the summary as JSON.") var json = false

    /// Rows per statement batch: the reader hands the writer this many at a time.
    static let batchSize = 50_000

    /// How long one transaction goes on taking the next batches before it commits. Each commit waits for the
    /// disk (synchronous = FULL) and writes again every page of the email index its rows touched, which with
    /// addresses in no particular order is most of the index: a million shuffled rows took 22 s in transactions of
    /// 10,000 rows and 16 s of 50,000, and a commit of 200,000 costs about what one of 50,000 does. Bounded by
    /// time, not rows, because a running daemon waits for the commit to record its sends (up to
    /// `SQLiteStore.busyTimeout`): about a second and a half at most, the last batch included.
    static let commitAfter: Duration = .seconds(1)

    /// The writer's page cache during an import. With SQLite's 2 MB, a batch whose addresses land all over the
    /// email index reads its pages back and spills them to the WAL many times over: a million shuffled rows took
    /// 14–16 s against 9–12 s with 64 MB (for about 80 MB more memory; rows in address order gain little).
    static let pageCacheBytes = 64 << 20

    /// For the tests, which need several batches from a small file.
    @Option(help: .hidden) var batchSize = Self.batchSize

    func run() throws {
        let runtime = try Runtime(options: options)
        let store = runtime.store
        try store.prepareForBulkImport(pageCacheBytes: Self.pageCacheBytes)
        let campaign: Campaign
        do {
            campaign = try runtime.enroller.campaign(self.campaign)
        } catch {
            throw CommandFailure(message: error.description)
        }
        var reader = try ProspectCSV(path: file)
        let (enroller, restart) = (runtime.enroller, restart)
        let summary = try Self.overlapping(
            reader: &reader, file: file, batchSize: batchSize, transaction: { try store.grouped($0) }
        ) { drafts in
            try enroller.enroll(drafts, in: campaign, restart: restart)
        }
        if json {
            printJSON(summary)
        } else {
            print(summary.description(campaign: campaign.id))
        }
        guard summary.rows > 0 else {
            // Bad rows were each reported; a file with none at all would otherwise fail without a word.
            if summary.badRows > 0 { throw ExitCode.failure }
            throw CommandFailure(message: "\(file): no rows after the header row; nothing to import")
        }
    }

    /// Reads the file on this thread while a second one writes the batch before: parsing, validating and
    /// encoding a row costs about as much as SQLite storing it, so on two cores an import takes half the time.
    /// The writer keeps one transaction open over the batches that come within `commitAfter`. A failed write
    /// stops the reading (what its transaction held is rolled back; earlier ones stay); bad rows are reported as
    /// they are read.
    private static func overlapping(
        reader: inout ProspectCSV, file: String, batchSize: Int,
        transaction: @escaping @Sendable (() throws -> Void) throws -> Void,
        write: @escaping @Sendable (ProspectBatch) throws -> [EnrollmentResult]
    ) throws -> ImportSummary {
        struct Batch: Sendable {
            var prospects: ProspectBatch
            /// Rows read, good and bad, up to the end of this batch: where the progress bar stands once it is written.
            var read: Int
        }
        // Two batches waiting at most: the reader never runs far ahead of what is stored.
        let batches = Handoff<Batch>(capacity: 2)
        let written = Mutex<Result<ImportSummary, any Error>>(.success(ImportSummary()))
        let writing = DispatchGroup()
        let total = reader.rowCount
        DispatchQueue(label: "nurture.import.write").async(group: writing) {
            let progress = ProgressBar(total: total, label: "importing")
            defer { progress.finish() }
            var summary = ImportSummary()
            do {
                while var batch = batches.take() {
                    try transaction {
                        let opened = ContinuousClock.now
                        while true {
                            for result in try write(batch.prospects) { summary.count(result) }
                            progress.update(batch.read)
                            guard ContinuousClock.now - opened < commitAfter, let next = batches.take() else {
                                break
                            }
                            batch = next
                        }
                    }
                }
                written.withLock { $0 = .success(summary) }
            } catch {
                written.withLock { $0 = .failure(error) }
                batches.close()
            }
        }
        var rows = 0
        var badRows = 0
        var drafts: [ProspectDraft] = []
        drafts.reserveCapacity(batchSize)
        reading: while let row = reader.next() {
            switch row {
            case .draft(let draft):
                drafts.append(draft)
                rows += 1
                if drafts.count == batchSize {
                    guard batches.put(Batch(prospects: ProspectBatch(drafts), read: rows + badRows)) else {
                        break reading
                    }
                    drafts.removeAll(keepingCapacity: true)
                }
            case .bad(let line, let message):
                badRows += 1
                reportBadRow(in: file, line: line, message)
            }
        }
        if !drafts.isEmpty { batches.put(Batch(prospects: ProspectBatch(drafts), read: rows + badRows)) }
        batches.close()
        writing.wait()
        var summary = try written.withLock { try $0.get() }
        summary.rows = rows
        summary.badRows = badRows
        if let failure = reader.failure {
            summary.badRows += 1
            reportBadRow(in: file, line: failure.line, failure.message)
        }
        return summary
    }

    private static func reportBadRow(in file: String, line: Int, _ message: String) {
        FileHandle.standardError.write(Data("\(file):\(line): error: \(message)\n".utf8))
    }
}

private struct ImportSummary: Encodable {
    var rows = 0
    var enrolled = 0
    var paused = 0
    var alreadyActive = 0
    var suppressed = 0
    var badRows = 0

    mutating func count(_ result: EnrollmentResult) {
        switch result {
        case .enrolled(let enrollment, _):
            enrolled += 1
            if enrollment.status == .paused { paused += 1 }
        case .alreadyActive: alreadyActive += 1
        case .suppressed: suppressed += 1
        }
    }

    func description(campaign: String) -> String {
        "\(rows) prospects read: \(enrolled) enrolled in \(campaign)"
            + (paused > 0 ? " (\(paused) paused behind a higher-priority campaign)" : "")
            + ", \(alreadyActive) already in it, \(suppressed) suppressed; \(badRows) bad rows skipped"
    }
}

/// A CSV file or body with a header row, read row by row with the line each row starts on.
struct CSVRows {
    private var scanner: CSVScanner
    /// The header row's names, trimmed and lower-cased.
    let columns: [String]

    /// - Parameter name: how errors name the source (a path, or `request body`).
    init(stream: InputStream, name: String, required: String) throws {
        scanner = CSVScanner(stream: stream)
        guard let header = scanner.next() else {
            throw CommandFailure(message: "\(name): not a CSV file: \(scanner.failure ?? "it is empty")")
        }
        if let problem = scanner.recordProblem {
            throw CommandFailure(message: "\(name):\(scanner.recordLine): error: the header row is \(problem)")
        }
        columns = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard columns.contains(required) else {
            throw CommandFailure(message: "\(name):1: error: the header row has no `\(required)` column")
        }
    }

    /// Set when the input stops being CSV (an unclosed quote, say); no rows follow.
    var failure: (line: Int, message: String)? {
        guard let failure = scanner.failure else { return nil }
        // The rows an unclosed quote swallowed are lost: say which, so they can be sent again.
        return (scanner.failureLine, "malformed CSV: \(failure); nothing from line \(scanner.failureLine) on was read")
    }

    /// The next row as column → value, or why it is bad; nil at the end.
    mutating func next() -> (line: Int, row: Result<[String: String], RowError>)? {
        guard let fields = scanner.next() else { return nil }
        let line = scanner.recordLine
        if let problem = scanner.recordProblem { return (line, .failure(RowError(message: problem))) }
        guard fields.count == columns.count else {
            return (line, .failure(RowError(message: "expected \(columns.count) fields, found \(fields.count)")))
        }
        var row: [String: String] = [:]
        row.reserveCapacity(columns.count)
        for (column, value) in zip(columns, fields) where row[column] == nil { row[column] = value }
        return (line, .success(row))
    }

    struct RowError: Error {
        let message: String
    }
}

/// Rows of a prospects CSV, with the line each starts on.
struct ProspectCSV {
    enum Row {
        case draft(ProspectDraft)
        case bad(line: Int, String)
    }

    private var rows: CSVRows
    let rowCount: Int

    init(path: String) throws {
        guard let stream = InputStream(fileAtPath: path), FileManager.default.isReadableFile(atPath: path) else {
            throw CommandFailure(message: "cannot read \(path)")
        }
        rows = try CSVRows(stream: stream, name: path, required: "email")
        // Counted up front so the progress bar can show a share; a cheap pass over bytes.
        let lines = (try? Data(contentsOf: URL(fileURLWithPath: path)))?.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } ?? 0
        rowCount = max(0, lines - 1)
    }

    var failure: (line: Int, message: String)? { rows.failure }

    mutating func next() -> Row? {
        guard let (start, row) = rows.next() else { return nil }
        let values: [String: String]
        switch row {
        case .failure(let error): return .bad(line: start, error.message)
        case .success(let row): values = row
        }
        let email: EmailAddress
        do {
            email = try EmailAddress(values["email"] ?? "")
        } catch {
            return .bad(line: start, "\(error)")
        }
        var draft = ProspectDraft(email: email)
        for (column, value) in values where column != "email" && !value.isEmpty {
            switch column {
            case "timezone", "time_zone":
                do {
                    _ = try Enroller.timeZone(named: value)
                } catch {
                    return .bad(line: start, error.description)
                }
                draft.timeZone = value
            case "preferred_channel", "prefers":
                guard let channel = Channel(rawValue: value.lowercased()) else {
                    return .bad(line: start, "preferred_channel `\(value)` must be `email` or `phone`")
                }
                draft.preferredChannel = channel
            default:
                // As the API refuses them: a field may end up in a subject, where a line break is a new header.
                guard !value.containsHeaderBreakingCharacter else {
                    return .bad(
                        line: start, "`\(column)` holds a line break or NUL; prospect fields must be one line of text")
                }
                draft.attributes[column] = value
            }
        }
        return .draft(draft)
    }
}

/// `importing [#########           ] 45% 4,500/10,000` on a terminal's stderr; nothing when piped.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastDrawn = -1

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let filled = percent / 5
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 20 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled, lastDrawn >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
