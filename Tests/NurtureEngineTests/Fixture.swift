import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureMail
import NurtureTestSupport
import Testing

/// The sample campaigns of `campaigns/`, a fixed link secret and a clock that moves only when told to.
enum Fixture {
    static let campaigns = CampaignLoader.load(
        directory: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("campaigns").path)

    /// Monday 23 November 2026, 14:35:18 UTC.
    static let moment = Date(timeIntervalSince1970: 1_795_444_518)
    static let secret: [UInt8] = (0..<32).map { UInt8($0) }
    static let publicURL = "https://go.acme.example"

    static func composer(clock: ManualClock = ManualClock(moment)) -> StepComposer {
        StepComposer(
            builder: MessageBuilder(clock: clock), signer: LinkSigner(secret: secret), publicURL: publicURL)
    }

    static func step(_ stepID: String, of campaignID: String) throws -> (Step, Campaign) {
        try step(stepID, in: campaigns, of: campaignID)
    }

    static func step(_ stepID: String, in set: CampaignSet, of campaignID: String) throws -> (Step, Campaign) {
        let campaign = try #require(set.campaign(id: campaignID), "\(set.diagnostics)")
        return (try #require(campaign.step(id: stepID)), campaign)
    }

    /// Campaign files of a test's own, loaded (they must have no errors); the folder goes when this returns.
    static func folder(_ files: [String: String]) throws -> CampaignSet {
        let folder = try TemporaryFolder(files)
        let set = CampaignLoader.load(directory: folder.path)
        try #require(set.errors.isEmpty, "\(set.errors)")
        return set
    }

    static func prospect(_ email: String = "sam@example.com", _ attributes: [String: String] = [:]) throws -> Prospect {
        Prospect(email: try EmailAddress(email), attributes: attributes)
    }

    /// Sam Lee of Initech, with every attribute a task step shows the owner.
    static func sam(_ extra: [String: String] = [:]) throws -> Prospect {
        try prospect(
            "sam@example.com",
            ["first_name": "Sam", "last_name": "Lee", "company": "Initech", "phone": "+1 555 0100"]
                .merging(extra) { _, given in given })
    }

    /// Composes `stepID` of `campaignID` for `prospect` and reads the message back with Python's strict parser.
    static func compose(
        _ stepID: String, of campaignID: String, for prospect: Prospect, clock: ManualClock = ManualClock(moment),
        ownerInbox: Mailbox? = nil
    ) throws -> (ComposedStep, ParsedMessage) {
        let (step, campaign) = try self.step(stepID, of: campaignID)
        let composed = try composer(clock: clock).compose(step, of: campaign, for: prospect, ownerInbox: ownerInbox)
        let parsed = try PythonEmailParser.parse(composed.message)
        #expect(parsed.defects == [])
        return (composed, parsed)
    }

    /// The https link of a `List-Unsubscribe` value, `<https://...>, <mailto:...>`.
    static func unsubscribeLink(_ header: String?) throws -> String {
        let header = try #require(header, "the message has no List-Unsubscribe header")
        let first = try #require(header.split(separator: ",").first).trimmingCharacters(in: .whitespaces)
        try #require(first.hasPrefix("<https://") && first.hasSuffix(">"), "`\(header)`")
        return String(first.dropFirst().dropLast())
    }

    /// The token at the end of an unsubscribe link made with `publicURL`.
    static func token(in link: String) throws -> String {
        let prefix = publicURL + "/u/"
        try #require(link.hasPrefix(prefix), "`\(link)` is not under \(prefix)")
        return String(link.dropFirst(prefix.count))
    }
}

extension ParsedMessage.Address {
    /// `Name <address>`, as Python read them, to compare a mailbox in one expectation.
    var nameAndAddress: String { "\(displayName) <\(address)>" }
}
