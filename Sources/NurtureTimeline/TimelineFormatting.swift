import Foundation
import NurtureCampaigns

extension ProspectCalendar {
    /// `Sat 2026-11-07 14:00`: an instant as the prospect's clocks show it, for explanations and plans.
    public func localTimestamp(of instant: Date) -> String {
        let wall = wallTime(of: instant)
        let weekday = CivilDays.weekday(wall.day).name.capitalized
        let minutes = Int(wall.seconds / 60)
        let time = "\(Self.twoDigits(minutes / 60)):\(Self.twoDigits(minutes % 60))"
        return "\(weekday) \(CivilDays.isoString(wall.day)) \(time)"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension SendWindow {
    /// `mon-fri 08:30-17:00`, `tue,thu 09:00-11:30`, `every day 23:00-24:00`: the window as a person reads it.
    public var summary: String { "\(daysSummary) \(opens)-\(closes)" }

    private var daysSummary: String {
        // Monday first, as a working week reads.
        let week: [Weekday] = [.mon, .tue, .wed, .thu, .fri, .sat, .sun]
        if week.allSatisfy(days.contains) { return "every day" }
        var runs: [[Weekday]] = []
        for (index, day) in week.enumerated() where days.contains(day) {
            if index > 0, runs.last?.last == week[index - 1] {
                runs[runs.count - 1].append(day)
            } else {
                runs.append([day])
            }
        }
        return runs.map { run in
            guard let first = run.first, let last = run.last else { return "" }
            return run.count >= 3 ? "\(first.name)-\(last.name)" : run.map(\.name).joined(separator: ",")
        }.joined(separator: ",")
    }
}
