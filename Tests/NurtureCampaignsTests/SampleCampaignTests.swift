import Foundation
import NurtureCampaigns
import NurtureTestSupport
import Testing

/// The campaigns shipped in `campaigns/` are what a new user copies: they must load cleanly.
struct SampleCampaignTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("campaigns").path

    @Test func theSampleCampaignsHaveNoErrorsOrWarnings() {
        let set = CampaignLoader.load(directory: Self.folder)
        #expect(set.diagnostics.map(\.description) == [])
        #expect(set.campaigns.map(\.id).sorted() == ["monthly-nurture", "re-engagement", "web-lead-followup"])
    }

    @Test func theWebLeadFollowUpHasSevenTouchesEndingInABreakup() throws {
        let set = CampaignLoader.load(directory: Self.folder)
        let campaign = try #require(set.campaign(id: "web-lead-followup"))
        #expect(campaign.steps.count == 7)
        #expect(campaign.steps.first?.window == .any)
        #expect(campaign.steps.first?.timing == .after(.immediately))
        #expect(campaign.steps.last?.isBreakup == true)
        #expect(campaign.steps.filter { !$0.isEmail }.map(\.id) == ["call-now", "linkedin"])
        #expect(campaign.steps[2].timing == .after(Wait(4, .businessDays)))
        #expect(campaign.sendWindow.days == [.mon, .tue, .wed, .thu, .fri])
        #expect(campaign.sendWindow.opens.description == "08:30")
        #expect(campaign.sendWindow.closes.description == "17:00")
        #expect(campaign.timeZoneIdentifier == "America/New_York")
        #expect(campaign.holidays.contains(LocalDate(year: 2026, month: 12, day: 25)!))
        #expect(campaign.owner.address.description == "dana@acme.example")
    }

    @Test func theMonthlyNurtureCountsFromEnrollment() throws {
        let campaign = try #require(CampaignLoader.load(directory: Self.folder).campaign(id: "monthly-nurture"))
        #expect(campaign.steps.map(\.timing) == [30, 60, 90, 120].map(StepTiming.dayOfEnrollment))
    }

    @Test func aMissingFolderIsReportedNotFatal() {
        let set = CampaignLoader.load(directory: "/nonexistent/campaigns")
        #expect(set.campaigns.isEmpty)
        #expect(set.errors.first?.message.contains("does not exist") == true)
    }

    @Test func twoFilesWithOneIDAreReported() throws {
        let text = """
            id: same
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: call, wait: 0, task: { subject: "Call" } }

            """
        let folder = try TemporaryFolder(["a.yml": text, "b.yml": text])
        let set = CampaignLoader.load(directory: folder.path)
        #expect(set.campaigns.count == 1)
        #expect(
            set.errors.map(\.message) == [
                "campaign id `same` is already used by \(folder.path)/a.yml; campaign ids must be unique"
            ])
    }
}
