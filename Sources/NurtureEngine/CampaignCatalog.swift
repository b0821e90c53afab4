import NurtureCampaigns
import Synchronization

/// The campaigns the engine works from; swapped whole when the folder is reloaded.
public final class CampaignCatalog: Sendable {
    private let current: Mutex<CampaignSet>

    public init(_ campaigns: CampaignSet) {
        current = Mutex(campaigns)
    }

    public var campaigns: CampaignSet { current.withLock { $0 } }

    public func campaign(id: String) -> Campaign? { campaigns.campaign(id: id) }

    public func replace(with campaigns: CampaignSet) {
        current.withLock { $0 = campaigns }
    }
}
