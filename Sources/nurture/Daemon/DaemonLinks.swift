import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureHTTP
import NurtureMail
import NurtureStore

/// The public unsubscribe and click routes over the running daemon.
struct DaemonLinks: LinkBackend {
    let daemon: Daemon

    func unsubscribeTarget(token: String) async -> UnsubscribeTarget? {
        guard let (email, campaign) = daemon.signer.verifyUnsubscribeToken(token) else { return nil }
        return target(email, campaign)
    }

    func unsubscribe(token: String, oneClick: Bool) async -> UnsubscribeTarget? {
        guard let (email, campaign) = daemon.signer.verifyUnsubscribeToken(token) else { return nil }
        let daemon = self.daemon
        let done = await Daemon.offload { () -> Bool in
            do {
                if try daemon.linkActivity.unsubscribe(email, from: campaign, oneClick: oneClick) {
                    daemon.logger.info(
                        "unsubscribed \(email) (\(oneClick ? "one-click" : "unsubscribe page"), \(campaign))")
                }
                return true
            } catch {
                daemon.logger.error("unsubscribe of \(email) not recorded: \(error)")
                return false
            }
        }
        // The state database failing must not tell the person they are unsubscribed.
        return done ? target(email, campaign) : nil
    }

    func click(token: String) async -> String? {
        guard let click = daemon.signer.verifyClickToken(token) else { return nil }
        let daemon = self.daemon
        // The person is sent on at once; recording the click and telling the owner happen behind them, one click at
        // a time (a scanner fetching ten thousand links must not take ten thousand threads).
        daemon.clicks.async {
            do {
                let outcome = try daemon.linkActivity.click(click)
                daemon.logger.info("click by \(click.email) in \(click.campaign)/\(click.step): \(click.url)")
                if let enrolled = outcome.enrolled {
                    daemon.logger.info("\(click.email) clicked after their sequence ended: enrolled in \(enrolled)")
                    daemon.scheduler.wake()
                }
                if let alert = outcome.alert {
                    daemon.alerts.send(
                        "\(alert.prospect.asProspect.displayName ?? click.email.description) just clicked a link",
                        text: "\(click.email) \(alert.reason): \(click.url)\n\nFrom step `\(click.step)` of "
                            + "\(alert.campaign.name). Now is a good moment to call.",
                        about: alert.prospect, step: alert.step, of: alert.campaign, why: alert.reason,
                        through: daemon)
                }
            } catch {
                daemon.logger.error("click by \(click.email) not recorded: \(error)")
            }
        }
        return click.url
    }

    private func target(_ email: EmailAddress, _ campaignID: String) -> UnsubscribeTarget {
        let campaign = daemon.catalog.campaign(id: campaignID)
        return UnsubscribeTarget(
            email: email.description,
            sender: campaign.map { $0.from.displayName ?? $0.from.address.domain } ?? email.domain)
    }
}

/// Sends owner alerts one at a time, off the request that caused them.
final class AlertSender: Sendable {
    private let queue = DispatchQueue(label: "nurture.alerts")

    func send(
        _ subject: String, text: String, about prospect: StoredProspect, step: Step, of campaign: Campaign, why: String,
        urgent: Bool = false, through daemon: Daemon
    ) {
        queue.async {
            do {
                let outcome = try daemon.ownerAlerts.alert(
                    subject, text: text, about: prospect, step: step, of: campaign, why: why, urgent: urgent)
                switch outcome {
                case .sent: daemon.logger.info("told \(campaign.owner.address) that \(prospect.email) \(why)")
                case .rateLimited(let since):
                    daemon.logger.info(
                        "not alerting again about \(prospect.email) (last alert \(TimeFormat.utc(since)))")
                case .failed(let reason):
                    daemon.logger.warning(
                        "alert about \(prospect.email) to \(campaign.owner.address) failed: \(reason)")
                }
            } catch {
                daemon.logger.error("alert about \(prospect.email) not recorded: \(error)")
            }
        }
    }
}
