import Foundation

/// A fresh folder with nurture.yml, one campaign and a state folder, for one run of one workload.
struct Workspace {
    let folder: URL
    let campaign: BenchCampaign

    var configuration: URL { folder.appendingPathComponent("nurture.yml") }
    var database: URL { folder.appendingPathComponent("state/nurture.sqlite") }

    init(campaign: BenchCampaign, smtpPort: Int, connections: Int) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-bench-\(UUID().uuidString)")
        self.campaign = campaign
        try write(
            """
            campaigns: ./campaigns
            state: ./state
            smtp: { url: "smtp://127.0.0.1:\(smtpPort)", tls: none }
            public_url: http://127.0.0.1:8080
            engine: { connections: \(connections), connections_per_domain: \(connections), min_gap: "0" }
            api: { listen: "127.0.0.1:0" }
            """, to: "nurture.yml")
        try write(campaign.yaml, to: "campaigns/\(campaign.id).yml")
        try write(BenchCampaign.body, to: "campaigns/bodies/guide.md")
    }

    private func write(_ text: String, to name: String) throws {
        let file = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    /// The database and its WAL, in bytes.
    var databaseBytes: Int {
        [database.path, database.path + "-wal"].reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The campaigns the workloads use; every email renders the same Markdown body.
enum BenchCampaign {
    /// One email step due at once: the throughput workload.
    case sendNow
    /// Seven steps, the first three days away: the scale workload, where everybody waits.
    case sevenSteps
    /// One email step at the instant in the prospect's `send_at`: the timer workload.
    case timed

    var id: String {
        switch self {
        case .sendNow: "bench-now"
        case .sevenSteps: "bench-seven"
        case .timed: "bench-timed"
        }
    }

    var yaml: String {
        let header = """
            id: \(id)
            name: Benchmark \(id)
            from: "Dana Reyes <dana@acme.example>"
            reply_to: dana@acme.example
            owner: "Dana Reyes <dana@acme.example>"
            timezone: UTC
            defaults: { first_name: there }
            steps:

            """
        switch self {
        case .sendNow:
            return header + Self.step("guide", wait: "0")
        case .timed:
            return header + Self.step("guide", wait: "{ until: send_at }")
        case .sevenSteps:
            let waits = ["3 days", "4 business days", "4 business days", "1 week", "1 week", "2 weeks", "2 weeks"]
            return header + waits.enumerated().map { Self.step("touch-\($0.offset + 1)", wait: $0.element) }.joined()
        }
    }

    private static func step(_ id: String, wait: String) -> String {
        """
          - id: \(id)
            wait: \(wait)
            send_window: any
            email:
              subject: "{{first_name}}, here is the guide you asked for"
              body: bodies/guide.md

        """
    }

    static let body = """
        Hi {{first_name}},

        Thanks for downloading the guide. Most teams we talk to start with **chapter two**, the part about
        following up within the hour, because that is where the quick wins are.

        If it would help, I can walk you through how {{company}} could set this up in an afternoon:
        reply to this email with a time that suits you.

        - [Reading list](https://acme.example/guide)
        - [Pricing](https://acme.example/pricing)

        Best,
        Dana Reyes
        """
}

/// The CSV files `nurture import` reads: `email,first_name,company[,send_at]`.
enum ProspectFile {
    /// The address of prospect `index`; the timer workload reads the index back from the recipient.
    static func email(_ index: Int) -> String { "p\(index)@example.com" }

    static func index(of recipient: String) -> Int? {
        guard recipient.hasPrefix("p"), let at = recipient.firstIndex(of: "@") else { return nil }
        return Int(recipient[recipient.index(after: recipient.startIndex)..<at])
    }

    /// Writes `count` prospects; with `sendAt`, each gets the instant it gives (see `iso8601(milliseconds:)`).
    /// `shuffled` writes them in an order unrelated to their addresses, as a CRM export would list them: the
    /// email index then takes them at random places instead of one after the other.
    static func write(count: Int, to file: URL, shuffled: Bool = false, sendAt: ((Int) -> String)? = nil) throws {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var chunk = sendAt == nil ? "email,first_name,company\n" : "email,first_name,company,send_at\n"
        for row in 0..<count {
            // A prime multiplier makes the order a permutation of any count it does not divide.
            let index = shuffled ? Int((Int64(row) * 7_368_787) % Int64(count)) : row
            chunk += "\(email(index)),Pat,Initech"
            if let sendAt { chunk += "," + sendAt(index) }
            chunk += "\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }
}

extension ProspectFile {
    /// `2026-11-23T17:43:25.125Z`: exact to the millisecond (whole seconds format exactly; the rest is integer).
    static func iso8601(milliseconds: Int64) -> String {
        let seconds = Date(timeIntervalSince1970: Double(milliseconds / 1000))
        let text = seconds.formatted(.iso8601)  // ends in Z
        return text.dropLast() + "." + String(format: "%03d", Int(milliseconds % 1000)) + "Z"
    }
}
