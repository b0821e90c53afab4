import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// Fixed instants, zones and campaigns for the timeline tests: nothing here reads the clock.
enum Fixtures {
    struct Unparsable: Error, CustomStringConvertible {
        let description: String
    }

    /// An instant from an ISO 8601 date-time with its offset, read by Foundation rather than the code under test.
    static func instant(_ text: String) throws -> Date {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains("."))
        guard let date = try? style.parse(text) else { throw Unparsable(description: text) }
        return date
    }

    static func zone(_ identifier: String) throws -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw Unparsable(description: identifier) }
        return zone
    }

    static func date(_ text: String) throws -> LocalDate {
        guard let date = LocalDate(parsing: text) else { throw Unparsable(description: text) }
        return date
    }

    static func calendar(_ zone: String, holidays: [String] = []) throws -> ProspectCalendar {
        ProspectCalendar(timeZone: try Self.zone(zone), holidays: Set(try holidays.map(date)))
    }

    static func window(_ days: Set<Weekday>, _ opens: (Int, Int), _ closes: (Int, Int)) throws -> SendWindow {
        guard let open = TimeOfDay(hour: opens.0, minute: opens.1),
            let close = TimeOfDay(hour: closes.0, minute: closes.1)
        else { throw Unparsable(description: "\(opens)-\(closes)") }
        return SendWindow(days: days, opens: open, closes: close)
    }

    static let weekdays: Set<Weekday> = [.mon, .tue, .wed, .thu, .fri]

    /// The campaigns in `campaigns/`, as a user gets them.
    static let sampleFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("campaigns").path

    static func sampleCampaign(_ id: String) throws -> Campaign {
        try #require(CampaignLoader.load(directory: sampleFolder).campaign(id: id))
    }

    /// A campaign written to a folder of its own with the body `body.md`, loaded as `nurture check` would.
    /// `steps` is the YAML list under `steps:`; `extra` adds campaign keys.
    static func campaign(extra: String = "", steps: String) throws -> Campaign {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-timeline-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Hello".write(to: folder.appendingPathComponent("body.md"), atomically: true, encoding: .utf8)
        let text = """
            id: test
            from: dana@acme.example
            owner: dana@acme.example
            timezone: America/New_York
            send_window: { days: [mon-fri], hours: "08:30-17:00" }
            holidays: [2026-11-26, 2026-12-24, 2026-12-25]
            \(extra)
            steps:
            \(steps)
            """
        let file = folder.appendingPathComponent("test.yml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (campaign, diagnostics) = CampaignLoader.load(file: file.path)
        #expect(diagnostics.map(\.description) == [])
        return try #require(campaign)
    }
}
