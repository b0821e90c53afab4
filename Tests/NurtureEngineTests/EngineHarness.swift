import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureSMTP
import NurtureStore
import NurtureTestSupport
import Synchronization

/// The whole engine on a manual clock: a real SQLite file, the sample campaigns, an in-memory transport.
final class EngineHarness: Sendable {
    /// Monday 23 November 2026, 14:00 UTC: 09:00 in New York.
    static let monday = Date(timeIntervalSince1970: 1_795_442_400)

    let clock = ManualClock(monday)
    let folder: TemporaryFolder
    let store: SQLiteStore
    let transport = MemoryMailTransport()
    let catalog: CampaignCatalog
    let scheduler: Scheduler
    let enroller: Enroller
    let actions: ProspectActions
    private let outcomes = OutcomeLog()

    init(
        settings: EngineSettings = EngineSettings(), campaigns: CampaignSet = Fixture.campaigns, lead: TimeInterval = 0
    ) throws {
        folder = try TemporaryFolder()
        store = try SQLiteStore(path: folder.url.appendingPathComponent("nurture.sqlite").path)
        catalog = CampaignCatalog(campaigns)
        let runner = StepRunner(
            store: store, catalog: catalog, clock: clock, settings: settings, composer: Fixture.composer(clock: clock),
            random: { 0.5 })
        let outcomes = self.outcomes
        scheduler = Scheduler(runner: runner, transports: [transport], lead: lead) { report in
            outcomes.items.withLock { $0.append(report.outcome) }
        }
        enroller = Enroller(store: store, catalog: catalog, clock: clock, settings: settings)
        actions = ProspectActions(store: store, clock: clock)
    }

    var handled: [StepRunOutcome] { outcomes.items.withLock { $0 } }

    @discardableResult
    func enroll(
        _ email: String, in campaign: String = "web-lead-followup", zone: String? = "America/New_York",
        channel: Channel? = nil
    ) throws -> EnrollOutcome {
        let draft = ProspectDraft(
            email: try EmailAddress(email), attributes: ["first_name": "Pat", "phone": "+1 555 0100"], timeZone: zone,
            preferredChannel: channel)
        return try enroller.enroll(draft, in: campaign)
    }

    /// Moves the clock and lets the scheduler handle whatever fell due.
    func advance(by interval: TimeInterval) throws {
        clock.advance(by: interval)
        try scheduler.runDue()
    }

    /// Subjects of the messages delivered to `email`, oldest first.
    func subjects(to email: String) throws -> [String] {
        try transport.delivered.filter { $0.to.description == email }.map { attempt in
            try PythonEmailParser.parse(bytes: attempt.message).subject
        }
    }

    func prospectID(_ email: String) throws -> ProspectID {
        guard let prospect = try store.prospect(email: EmailAddress(email)) else {
            throw TestSetupError(description: "no \(email)")
        }
        return prospect.id
    }
}

/// What the scheduler reported, in order.
final class OutcomeLog: Sendable {
    let items = Mutex<[StepRunOutcome]>([])
}

extension TimeInterval {
    static let minute: TimeInterval = 60
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400
}
