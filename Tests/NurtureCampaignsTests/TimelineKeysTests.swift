import Foundation
import NurtureCampaigns
import Testing

/// `wait: { until: ..., offset: ... }`, `max_lateness`, `min_gap` and `thread` read into the model. Their
/// mistakes are in `Corpus/` (`until-*`, `max-lateness-*`, `min-gap-*`, `thread-*`).
struct TimelineKeysTests {
    static let campaign = """
        id: demo-reminders
        from: dana@acme.example
        owner: dana@acme.example
        max_lateness: 1 day
        min_gap: 2 business days
        steps:
          - id: booked
            wait: 0
            email: { subject: "Your demo is booked", body: body.md }
          - id: day-before
            wait: { until: demo_date, offset: -1 day }
            thread: true
            email: { subject: "See you tomorrow", body: body.md }
          - id: at-the-demo
            wait: { until: demo_date }
            task: { subject: "Demo with {{first_name}}" }
          - id: after
            wait: { until: demoDate, offset: +2 hours }
            thread: false
            email: { subject: "Thanks for your time", body: body.md }

        """

    @Test func readsUntilWaitsLatenessGapAndThreads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-keys-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "Hello".write(to: folder.appendingPathComponent("body.md"), atomically: true, encoding: .utf8)
        let file = folder.appendingPathComponent("demo.yml")
        try Self.campaign.write(to: file, atomically: true, encoding: .utf8)

        let (loaded, diagnostics) = CampaignLoader.load(file: file.path)
        #expect(diagnostics.map(\.description) == [])
        let campaign = try #require(loaded)
        #expect(campaign.maxLateness == Wait(1, .days))
        #expect(campaign.minimumGap == Wait(2, .businessDays))
        #expect(
            campaign.steps.map(\.timing) == [
                .after(.immediately),
                .untilAttribute("demo_date", offset: WaitOffset(Wait(1, .days), .before)),
                .untilAttribute("demo_date", offset: .none),
                .untilAttribute("demoDate", offset: WaitOffset(Wait(2, .hours), .after)),
            ])
        #expect(campaign.steps.map(\.repliesInThread) == [false, true, false, false])
        #expect(
            campaign.steps.map(\.timing.description)[1...] == [
                "1 day before `demo_date`", "at `demo_date`", "2 hours after `demoDate`",
            ])
    }

    @Test func campaignsWithoutTheNewKeysKeepTheirDefaults() throws {
        let folder = SampleCampaignTests.folder
        let campaign = try #require(CampaignLoader.load(directory: folder).campaign(id: "web-lead-followup"))
        #expect(campaign.maxLateness == nil)
        #expect(campaign.minimumGap == nil)
        #expect(campaign.steps.allSatisfy { !$0.repliesInThread })
    }

    @Test(arguments: [
        ("-1 day", WaitOffset(Wait(1, .days), .before)),
        ("+2 hours", WaitOffset(Wait(2, .hours), .after)),
        ("2 hours", WaitOffset(Wait(2, .hours), .after)),
        ("-3 business days", WaitOffset(Wait(3, .businessDays), .before)),
        ("\u{2212}30m", WaitOffset(Wait(30, .minutes), .before)),
        ("0", WaitOffset.none),
    ])
    func offsetsReadAnOptionalSign(text: String, expected: WaitOffset) throws {
        #expect(try WaitOffset(parsing: text) == expected)
    }

    @Test func offsetsDescribeThemselvesAsAFileWouldSayThem() {
        #expect(WaitOffset(Wait(1, .days), .before).description == "-1 day")
        #expect(WaitOffset(Wait(2, .hours), .after).description == "2 hours")
        #expect(WaitOffset.none.description == "0")
    }

    @Test func aBadOffsetIsRefusedLikeABadWait() {
        #expect(throws: WaitSyntaxError.unknownUnit("dyas")) { try WaitOffset(parsing: "-2 dyas") }
        #expect(throws: WaitSyntaxError.notANumber) { try WaitOffset(parsing: "--1 day") }
        #expect(throws: WaitSyntaxError.notANumber) { try WaitOffset(parsing: "tomorrow") }
    }
}
