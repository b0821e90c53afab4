import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureSMTP
import NurtureTestSupport
import Synchronization
import Testing

@testable import NurtureStore

/// The whole engine on a manual clock with a real SQLite file and real libcurl connections to an SMTP server on
/// loopback: what the fault tests break, one part at a time.
final class LiveEngine: Sendable {
    let clock = ManualClock(EngineHarness.monday)
    let folder: TemporaryFolder
    let store: SQLiteStore
    let scheduler: Scheduler
    let enroller: Enroller
    /// Every send the engine asked of the real transports, and a hook run after each.
    let transport: CountingTransport
    private let log = EngineLog()

    /// Two email steps two days apart, any day and hour, from and owned by dana@acme.example.
    static let campaign = """
        id: drip
        from: "Dana Reyes <dana@acme.example>"
        owner: dana@acme.example
        timezone: UTC
        steps:
          - { id: hello, wait: 0, send_window: any, email: { subject: "Hello {{first_name}}", body: b.md } }
          - { id: again, wait: 2 days, send_window: any, email: { subject: "Again", body: b.md } }

        """

    /// Plain text to 127.0.0.1:`port`, with timeouts short enough for a test.
    static func smtp(port: Int) -> SMTPSettings {
        SMTPSettings(
            url: "smtp://127.0.0.1:\(port)", tls: .none, ehloName: "nurture.test", connectTimeout: .seconds(1),
            responseTimeout: .seconds(1), transferTimeout: .seconds(5))
    }

    init(
        smtp: SMTPSettings, connections: Int = 2, settings: EngineSettings = EngineSettings(),
        databaseIn folder: TemporaryFolder? = nil, afterSend: @escaping @Sendable (DeliveryResult) -> Void = { _ in }
    ) throws {
        self.folder = try folder ?? TemporaryFolder()
        store = try SQLiteStore(path: self.folder.url.appendingPathComponent("nurture.sqlite").path)
        let catalog = CampaignCatalog(try Fixture.folder(["drip.yml": Self.campaign, "b.md": "Hello.\n"]))
        let runner = StepRunner(
            store: store, catalog: catalog, clock: clock, settings: settings, composer: Fixture.composer(clock: clock),
            random: { 0.5 })
        let transports = try (0..<connections).map { _ in try CurlSMTPTransport(settings: smtp) }
        transport = CountingTransport(transports, afterSend: afterSend)
        let log = self.log
        scheduler = Scheduler(
            runner: runner, transports: transport.connections,
            onOutcome: { report in log.entries.withLock { $0.outcomes.append(report.outcome) } },
            onProblem: { text in log.entries.withLock { $0.problems.append(text) } },
            onNotice: { text in log.entries.withLock { $0.notices.append(text) } })
        enroller = Enroller(store: store, catalog: catalog, clock: clock, settings: settings)
    }

    /// What the scheduler said it could not do (the log's errors), once per problem.
    var problems: [String] { log.entries.withLock { $0.problems } }
    /// What it said when it could again.
    var notices: [String] { log.entries.withLock { $0.notices } }
    var outcomes: [StepRunOutcome] { log.entries.withLock { $0.outcomes } }

    /// Enrolls `prospect1@example.com` ... `prospectN@example.com` (or the given addresses) in `drip`.
    @discardableResult
    func enroll(_ addresses: [String]) throws -> [String] {
        for address in addresses {
            let draft = ProspectDraft(
                email: try EmailAddress(address), attributes: ["first_name": "Pat"], timeZone: nil)
            _ = try enroller.enroll(draft, in: "drip")
        }
        return addresses
    }

    static func prospects(_ count: Int) -> [String] {
        (1...count).map { "prospect\($0)@example.com" }
    }

    /// Moves the clock a minute at a time for `interval`, letting the scheduler handle what fell due each time.
    func run(for interval: TimeInterval, step: TimeInterval = .minute) throws {
        var elapsed: TimeInterval = 0
        while elapsed < interval {
            clock.advance(by: step)
            elapsed += step
            try scheduler.runDue()
        }
    }

    func deliveries(_ address: String) throws -> [Delivery] {
        guard let prospect = try store.prospect(email: EmailAddress(address)) else { return [] }
        return try store.deliveries(prospectID: prospect.id)
    }

    func enrollments(_ address: String) throws -> [Enrollment] {
        guard let prospect = try store.prospect(email: EmailAddress(address)) else { return [] }
        return try store.enrollments(prospectID: prospect.id)
    }

    /// `PRAGMA integrity_check` of the engine's own database.
    func integrityCheck() throws -> [String] {
        try store.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Runs SQL on the engine's writer connection: the one every write goes through, so a pragma set here (a page
    /// limit, `query_only`) is what the engine's writes meet.
    func onWriter(_ sql: String) throws {
        try store.writer.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }
}

/// What the scheduler told, in order.
final class EngineLog: Sendable {
    let entries = Mutex<(problems: [String], notices: [String], outcomes: [StepRunOutcome])>(([], [], []))
}

/// The real transports, counting the sends asked of them and running a hook after each (to break something at
/// a chosen moment, from the connection's own thread).
final class CountingTransport: Sendable {
    private let count = Counter()
    let connections: [any MailTransport]

    init(_ transports: [CurlSMTPTransport], afterSend: @escaping @Sendable (DeliveryResult) -> Void) {
        let count = self.count
        connections = transports.map { transport in
            Counted(inner: transport, count: count, afterSend: afterSend)
        }
    }

    var sends: Int { count.value }

    private struct Counted: MailTransport {
        let inner: CurlSMTPTransport
        let count: Counter
        let afterSend: @Sendable (DeliveryResult) -> Void

        func send(_ message: [UInt8], from: EmailAddress, to: EmailAddress) -> DeliveryResult {
            _ = count.increment()
            let result = inner.send(message, from: from, to: to)
            afterSend(result)
            return result
        }
    }
}

/// A server the test stops and starts again on the same port, reachable from a connection's hook.
final class ServerSlot: @unchecked Sendable {
    // The lock is what makes it Sendable: `current` is only touched inside it.
    private let lock = NSLock()
    private var current: TestSMTPServer?
    /// Everything the servers that held this slot received, in order.
    private var received: [TestSMTPServer.LogEntry] = []
    let port: Int

    init(_ server: TestSMTPServer) {
        current = server
        port = server.port
    }

    /// A port with nothing listening on it: a server's, stopped.
    static func down() throws -> ServerSlot {
        let slot = ServerSlot(try TestSMTPServer())
        slot.stop()
        return slot
    }

    var server: TestSMTPServer? { lock.withLock { current } }

    func stop() {
        lock.withLock {
            guard let server = current else { return }
            server.stop()
            received += (try? server.log()) ?? []
            current = nil
        }
    }

    /// A new server on the port (the old one stopped first), with its own options.
    func start(_ options: [String] = []) throws {
        stop()
        let server = try TestSMTPServer(options, port: port)
        lock.withLock { current = server }
    }

    /// The log of every server that held the port, the current one's so far included.
    func log() throws -> [TestSMTPServer.LogEntry] {
        try lock.withLock { received + (try current?.log() ?? []) }
    }

    /// The recipient of each message the servers took, in order of arrival.
    func recipients() throws -> [String] {
        try log().filter { $0.event == "message" }.flatMap { $0.recipients ?? [] }
    }

    func count(_ event: String) throws -> Int {
        try log().filter { $0.event == event }.count
    }
}

/// Counts from any thread.
final class Counter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    /// Adds one and returns the new count.
    func increment() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}
