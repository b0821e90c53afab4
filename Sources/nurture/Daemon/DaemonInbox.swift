import Foundation
import Logging
import NurtureCampaigns
import NurtureConfig
import NurtureCore
import NurtureEngine
import NurtureIMAP
import NurtureStore
import ServiceLifecycle
import Synchronization

/// Reads the reply mailbox every `inbox.poll_interval` while the daemon runs: replies end sequences and alert the
/// owner, auto-replies are noted, bounces suppress, `unsubscribe` mails unsubscribe. Read-only on the server;
/// where it got to is kept in the state database, so nothing is handled twice across restarts.
struct InboxService: Service {
    let daemon: Daemon

    func run() async throws {
        let inbox = DaemonInbox(daemon: daemon)
        while !Task.isShuttingDownGracefully {
            let wait = await Daemon.offload { inbox.poll() }
            // Cut short by a shutdown.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
        }
    }
}

/// One poll at a time (each poll is one IMAP connection), backing off after failures.
final class DaemonInbox: Sendable {
    let daemon: Daemon
    private let failures = Atomic<Int>(0)

    /// Messages fetched per round trip; a folder with more is read in several.
    static let batchSize = 50

    init(daemon: Daemon) {
        self.daemon = daemon
    }

    /// Reads whatever arrived; returns the seconds until the next poll (longer after failures, up to an hour).
    func poll() -> TimeInterval {
        guard let inbox = daemon.configuration.inbox else { return 60 }
        let mailbox = Self.mailboxKey(inbox.url)
        do {
            try read(try reader(for: inbox), mailbox: mailbox, rules: inbox.rules)
            failures.store(0, ordering: .relaxed)
            return inbox.pollInterval
        } catch {
            let count = failures.add(1, ordering: .relaxed).newValue
            let delay = min(inbox.pollInterval * pow(2, Double(min(count - 1, 10))), 3600)
            let message = "inbox \(mailbox): \(error); trying again in \(Int(delay)) s"
            // A refused login will not fix itself: said as an error once, then as warnings while it backs off.
            daemon.problem(message, level: count == 1 ? .error : .warning)
            return delay
        }
    }

    private func reader(for inbox: InboxConfiguration) throws -> CurlIMAPMailbox {
        do {
            let settings = IMAPSettings(
                url: inbox.url, tls: inbox.requireTLS ? .required : .none, user: inbox.user ?? "",
                password: try inbox.password() ?? "", caFile: inbox.caFile)
            return try CurlIMAPMailbox(settings: settings)
        } catch let error as ConfigurationError {
            throw CommandFailure(message: error.diagnostics.first?.description ?? "\(error)")
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }

    private func read(_ reader: some MailboxReader, mailbox: String, rules: InboxRules) throws {
        let store = daemon.store
        let processor = InboxProcessor(store: store, catalog: daemon.catalog, clock: daemon.clock, rules: rules)
        guard let stored = try store.mailboxPosition(mailbox) else {
            // A folder seen for the first time may hold years of someone's mail: only what arrives from now on is
            // Nurture's business.
            let start = try reader.latest()
            try store.setMailboxPosition(
                MailboxPosition(uidValidity: start.uidValidity, lastUID: start.lastUID), of: mailbox)
            daemon.logger.info(
                "inbox \(mailbox): reading new mail from now on (the \(start.lastUID > 0 ? "messages already there are" : "folder is empty and") left alone)"
            )
            return
        }
        var cursor = MailboxCursor(uidValidity: stored.uidValidity, lastUID: stored.lastUID)
        while true {
            let batch = try reader.fetch(after: cursor, limit: Self.batchSize)
            if batch.uidValidityChanged {
                daemon.logger.warning(
                    "inbox \(mailbox): the folder's UIDVALIDITY changed; reading it again (what was handled is skipped)"
                )
            }
            for message in batch.messages {
                act(
                    on: try processor.handle(
                        message.bytes, mailbox: mailbox, uid: message.uid, uidValidity: batch.uidValidity))
                try store.setMailboxPosition(
                    MailboxPosition(uidValidity: batch.uidValidity, lastUID: message.uid), of: mailbox)
            }
            // Past every UID this batch covered, fetched or not (a message expunged meanwhile).
            cursor = batch.cursor
            try store.setMailboxPosition(
                MailboxPosition(uidValidity: cursor.uidValidity, lastUID: cursor.lastUID), of: mailbox)
            guard batch.more, !daemon.isStopping else { return }
        }
    }

    private func act(on outcome: InboundOutcome) {
        let logger = daemon.logger
        switch outcome {
        case .reply(let alert):
            logger.info("\(alert.summary): sequences ended")
            guard let (campaign, step) = owner(of: alert) else { return }
            daemon.alerts.send(
                alert.summary, text: "\(alert.summary):\n\n\(alert.excerpt)", about: alert.prospect, step: step,
                of: campaign, why: "replied", urgent: true, through: daemon)
        case .autoReply(let email, let kind, let ended):
            logger.info("automatic reply from \(email) (\(kind))\(ended ? ": sequences ended" : ""); recorded")
        case .bounce(let email, let status, let hard, let suppressed):
            logger.info(
                "\(hard ? "hard" : "soft") bounce for \(email) (\(status))\(suppressed ? ": suppressed, sequences ended" : "")"
            )
        case .unsubscribe(let email):
            logger.info("unsubscribed \(email) (an email saying unsubscribe)")
        case .unmatched(let reason):
            logger.debug("inbox: ignored a message: \(reason)")
        case .duplicate:
            break
        case .unreadable(let reason):
            logger.warning("inbox: a message could not be read and was skipped: \(reason)")
        }
    }

    /// The campaign and step a reply is about, for the owner's alert: the email it answered, else the prospect's
    /// most recent campaign.
    private func owner(of alert: InboundAlert) -> (Campaign, Step)? {
        let catalog = daemon.catalog
        if let id = alert.campaignID, let campaign = catalog.campaign(id: id),
            let step = alert.stepID.flatMap(campaign.step(id:)) ?? campaign.steps.first
        {
            return (campaign, step)
        }
        let latest = (try? daemon.store.enrollments(prospectID: alert.prospect.id))?.max {
            $0.enrolledAt < $1.enrolledAt
        }
        guard let campaign = latest.flatMap({ catalog.campaign(id: $0.campaignID) }), let step = campaign.steps.first
        else { return nil }
        return (campaign, step)
    }

    /// The folder's URL without any credentials: the key its position is kept under.
    static func mailboxKey(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
