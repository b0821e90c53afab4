import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureMail
import NurtureRendering

/// A step could not be turned into a message for this prospect.
public enum ComposeError: Error, Sendable, CustomStringConvertible {
    case render(RenderError)
    case message(MessageError)

    public var description: String {
        switch self {
        case .render(let error): "\(error)"
        case .message(let error): "\(error)"
        }
    }
}

/// A step ready to go out.
public struct ComposedStep: Sendable {
    public let message: EncodedMessage
    /// The subject as the reader sees it, kept so a later `thread: true` step can answer it with `Re:`.
    public let subject: String
}

/// The email a `thread: true` step replies to.
public struct ThreadReference: Sendable, Hashable {
    public let messageID: String
    public let subject: String

    public init(messageID: String, subject: String) {
        self.messageID = messageID
        self.subject = subject
    }
}

/// Turns a campaign step and a prospect into the exact message that would be sent.
public struct StepComposer: Sendable {
    private let renderer = StepRenderer()
    private let builder: MessageBuilder
    private let signer: LinkSigner
    private let publicURL: String

    /// - Parameter publicURL: base of unsubscribe links, without a trailing slash.
    public init(builder: MessageBuilder, signer: LinkSigner, publicURL: String) {
        self.builder = builder
        self.signer = signer
        self.publicURL = publicURL
    }

    /// - Parameters:
    ///   - date: the message's `Date:`, when it is composed ahead of the instant it goes out; nil for now.
    ///   - ownerInbox: where a task goes instead of the campaign's owner (for `nurture send`).
    ///   - asTask: the prospect prefers the phone: an email step becomes a task for the owner, carrying the email.
    ///   - thread: the email a `thread: true` step answers (`Re:` subject, `In-Reply-To`, `References`).
    public func compose(
        _ step: Step, of campaign: Campaign, for prospect: Prospect, at date: Date? = nil, ownerInbox: Mailbox? = nil,
        asTask: Bool = false, replyingTo thread: ThreadReference? = nil
    ) throws(ComposeError) -> ComposedStep {
        let owner = ownerInbox ?? campaign.owner
        switch step.action {
        case .email(let email) where asTask:
            let rendered = try renderEmail(
                email, step: step, campaign: campaign, prospect: prospect,
                unsubscribe: unsubscribeURL(prospect, campaign))
            let name = prospect.displayName ?? prospect.email.description
            return try ownerTask(
                subject: "Call \(name) (prefers the phone): \(rendered.subject)",
                notes: "Instead of this email:\n\n" + rendered.text, step: step, campaign: campaign,
                prospect: prospect, to: owner, date: date)
        case .email(let email):
            let unsubscribe = unsubscribeURL(prospect, campaign)
            let rendered = try renderEmail(
                email, step: step, campaign: campaign, prospect: prospect, unsubscribe: unsubscribe)
            let subject = thread.map { Self.reply(to: $0.subject) } ?? rendered.subject
            let threadHeaders = thread.map {
                [MailHeader("In-Reply-To", $0.messageID), MailHeader("References", $0.messageID)]
            }
            let message = MailMessage(
                from: campaign.from,
                to: Mailbox(displayName: prospect.displayName, address: prospect.email),
                replyTo: campaign.replyTo,
                subject: subject,
                textBody: rendered.text,
                htmlBody: rendered.html,
                listUnsubscribe: ListUnsubscribe(
                    url: unsubscribe, mailto: campaign.replyTo?.address ?? campaign.from.address),
                extraHeaders: (threadHeaders ?? []) + Self.trackingHeaders(campaign: campaign, step: step),
                date: date)
            return ComposedStep(message: try build(message), subject: subject)
        case .task(let task):
            var values = providedValues(step: step, campaign: campaign)
            values.merge(prospect.templateValues) { provided, _ in provided }
            let rendered: RenderedTask
            do {
                rendered = try renderer.renderTask(task, step: step, of: campaign, values: values)
            } catch {
                throw .render(error)
            }
            return try ownerTask(
                subject: rendered.subject, notes: rendered.text, step: step, campaign: campaign, prospect: prospect,
                to: owner, date: date)
        }
    }

    private func unsubscribeURL(_ prospect: Prospect, _ campaign: Campaign) -> String {
        "\(publicURL)/u/\(signer.unsubscribeToken(email: prospect.email, campaign: campaign.id))"
    }

    private func renderEmail(
        _ email: EmailStep, step: Step, campaign: Campaign, prospect: Prospect, unsubscribe: String
    ) throws(ComposeError) -> RenderedEmail {
        var values = providedValues(step: step, campaign: campaign)
        values["unsubscribe_url"] = unsubscribe
        values.merge(prospect.templateValues) { provided, _ in provided }
        do {
            return try renderer.renderEmail(email, step: step, of: campaign, values: values) { url in
                // Every web link becomes a signed redirect that records the click; our own unsubscribe link stays.
                guard url != unsubscribe else { return nil }
                let click = LinkClick(email: prospect.email, campaign: campaign.id, step: step.id, url: url)
                return "\(publicURL)/c/\(signer.clickToken(click))"
            }
        } catch {
            throw .render(error)
        }
    }

    /// A note to the campaign's owner about a prospect (a step that could not be delivered, a click, a reply).
    public func ownerNotice(_ subject: String, text: String, step: Step, of campaign: Campaign, for prospect: Prospect)
        throws(ComposeError) -> ComposedStep
    {
        try ownerTask(
            subject: subject, notes: text, step: step, campaign: campaign, prospect: prospect, to: campaign.owner,
            kind: "Nurture")
    }

    /// A reminder to the owner, with who the prospect is; replying writes to the prospect.
    private func ownerTask(
        subject: String, notes: String, step: Step, campaign: Campaign, prospect: Prospect, to owner: Mailbox,
        kind: String = "Task", date: Date? = nil
    ) throws(ComposeError) -> ComposedStep {
        let text = notes + "\n\n" + Self.prospectSummary(prospect, campaign: campaign, step: step)
        let subject = "\(kind): \(subject)"
        let message = MailMessage(
            from: campaign.from,
            to: owner,
            replyTo: Mailbox(displayName: prospect.displayName, address: prospect.email),
            subject: subject,
            textBody: text,
            htmlBody: HTMLDocument.preformatted(text, title: subject),
            extraHeaders: Self.trackingHeaders(campaign: campaign, step: step), date: date)
        return ComposedStep(message: try build(message), subject: subject)
    }

    /// `Re: subject`, once: a thread of follow-ups does not grow `Re: Re: Re:`.
    static func reply(to subject: String) -> String {
        subject.lowercased().hasPrefix("re:") ? subject : "Re: \(subject)"
    }

    private func build(_ message: MailMessage) throws(ComposeError) -> EncodedMessage {
        do {
            return try builder.build(message)
        } catch {
            throw .message(error)
        }
    }

    private func providedValues(step: Step, campaign: Campaign) -> [String: String] {
        [
            "campaign_name": campaign.name,
            "owner_name": campaign.owner.displayName ?? campaign.owner.address.description,
            "owner_email": campaign.owner.address.description,
            "sender_name": campaign.from.displayName ?? campaign.from.address.description,
            "step_id": step.id,
        ]
    }

    private static func trackingHeaders(campaign: Campaign, step: Step) -> [MailHeader] {
        [MailHeader("X-Nurture-Campaign", campaign.id), MailHeader("X-Nurture-Step", step.id)]
    }

    private static func prospectSummary(_ prospect: Prospect, campaign: Campaign, step: Step) -> String {
        var lines = [
            "Prospect: \(prospect.displayName.map { "\($0) <\(prospect.email)>" } ?? prospect.email.description)"
        ]
        for key in ["company", "title", "phone"] {
            if let value = prospect.attributes[key], !value.isEmpty { lines.append("\(key.capitalized): \(value)") }
        }
        lines.append("Campaign: \(campaign.name) (\(campaign.id)), step `\(step.id)`")
        lines.append("Reply to this email to write to the prospect.")
        return lines.joined(separator: "\n") + "\n"
    }
}
