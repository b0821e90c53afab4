import Foundation
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureMail

/// What the one-shot commands share: the configuration, the campaigns, and a composer wired to the real clock.
struct Workspace: Sendable {
    let configuration: Configuration
    let campaigns: CampaignSet
    let clock: any WallClock

    init(options: ConfigOptions, clock: any WallClock = SystemClock()) throws {
        let configuration = try options.load()
        self.init(
            configuration: configuration, campaigns: CampaignLoader.load(directory: configuration.campaigns),
            clock: clock)
    }

    init(configuration: Configuration, campaigns: CampaignSet, clock: any WallClock) {
        self.configuration = configuration
        self.campaigns = campaigns
        self.clock = clock
    }

    func campaign(_ id: String) throws -> Campaign {
        if let campaign = campaigns.campaign(id: id) { return campaign }
        // The campaign may exist but be broken: say why rather than "not found".
        if let problems = campaigns.brokenCampaigns[id], let first = problems.first {
            throw CommandFailure(message: "campaign `\(id)` has errors: \(first)\(Self.more(problems.count - 1))")
        }
        let known = campaigns.campaigns.map(\.id)
        let hint = Suggestions.hint(for: id, in: known)
        let list =
            known.isEmpty ? "there are none in \(configuration.campaigns)" : "known: \(known.joined(separator: ", "))"
        throw CommandFailure(message: "no campaign `\(id)`\(hint.isEmpty ? "; \(list)" : hint)")
    }

    func step(_ id: String, of campaign: Campaign) throws -> Step {
        if let step = campaign.step(id: id) { return step }
        let known = campaign.steps.map(\.id)
        let hint = Suggestions.hint(for: id, in: known)
        throw CommandFailure(
            message:
                "campaign `\(campaign.id)` has no step `\(id)`\(hint.isEmpty ? "; its steps: \(known.joined(separator: ", "))" : hint)"
        )
    }

    /// ` (+N more; run `nurture check`)`, keeping an error to one line.
    static func more(_ count: Int) -> String {
        count > 0 ? " (+\(count) more; run `nurture check`)" : ""
    }

    func composer() throws -> StepComposer {
        let secret: [UInt8]
        do {
            secret = try LinkSigner.loadOrCreateSecret(at: configuration.secretFile)
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        return StepComposer(
            builder: MessageBuilder(clock: clock),
            signer: LinkSigner(secret: secret),
            publicURL: configuration.publicURL)
    }
}
