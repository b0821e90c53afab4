import Foundation
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureSMTP
import NurtureStore

/// The state database and the engine's parts, for the commands that work on enrollments.
struct Runtime: Sendable {
    let workspace: Workspace
    let store: SQLiteStore
    let catalog: CampaignCatalog

    var clock: any WallClock { workspace.clock }
    var settings: EngineSettings { workspace.configuration.engine }

    init(options: ConfigOptions, clock: any WallClock = SystemClock()) throws {
        try self.init(configuration: try options.load(), clock: clock)
    }

    init(configuration: Configuration, clock: any WallClock = SystemClock()) throws {
        workspace = Workspace(
            configuration: configuration, campaigns: CampaignLoader.load(directory: configuration.campaigns),
            clock: clock)
        do {
            store = try SQLiteStore(path: workspace.configuration.databasePath)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        catalog = CampaignCatalog(workspace.campaigns)
    }

    /// The daemon's, after a reload: a new configuration and campaign set over the same store and catalog.
    init(workspace: Workspace, store: SQLiteStore, catalog: CampaignCatalog) {
        self.workspace = workspace
        self.store = store
        self.catalog = catalog
    }

    var enroller: Enroller { Enroller(store: store, catalog: catalog, clock: clock, settings: settings) }

    var actions: ProspectActions { ProspectActions(store: store, clock: clock) }

    func runner() throws -> StepRunner {
        StepRunner(
            store: store, catalog: catalog, clock: clock, settings: settings, composer: try workspace.composer())
    }

    func prospect(_ email: String) throws -> StoredProspect {
        let address = try Self.address(email)
        guard let prospect = try store.prospect(email: address) else {
            throw CommandFailure(
                message: "no prospect \(address); enroll one with `nurture enroll CAMPAIGN --email \(address)`")
        }
        return prospect
    }

    static func address(_ text: String) throws -> EmailAddress {
        do {
            return try EmailAddress(text)
        } catch {
            throw CommandFailure(message: "invalid email: \(error)")
        }
    }
}

/// Times as the commands print them: the prospect's local time, then UTC.
enum TimeFormat {
    static func local(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "EEE yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `--start 2026-11-27T18:00:00-05:00` and the like.
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
