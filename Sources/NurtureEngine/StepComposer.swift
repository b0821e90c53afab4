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

/// A step ready to go out: the encoded message, and who it is for.
public struct ComposedStep: Sendable {
    public enum Recipient: Sendable, Equatable {
        /// An email step, to the prospect.
        case prospect
        /// A task step, to the campaign's owner.
        case owner
    }

    public let message: EncodedMessage
    public let recipient: Recipient
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

    /// - Parameter ownerInbox: where a task step goes instead of the campaign's owner (for `nurture send`).
    public func compose(_ step: Step, of campaign: Campaign, for prospect: Prospect, ownerInbox: Mailbox? = nil)
        throws(ComposeError) -> ComposedStep
    {
        switch step.action {
        case .email(let email):
            return try composeEmail(email, step: step, campaign: campaign, prospect: prospect)
        case .task(let task):
            return try composeTask(
                task, step: step, campaign: campaign, prospect: prospect, to: ownerInbox ?? campaign.owner)
        }
    }

    private func composeEmail(_ email: EmailStep, step: Step, campaign: Campaign, prospect: Prospect)
        throws(ComposeError) -> ComposedStep
    {
        let token = signer.unsubscribeToken(email: prospect.email, campaign: campaign.id)
        let unsubscribeURL = "\(publicURL)/u/\(token)"
        var values = providedValues(step: step, campaign: campaign)
        values["unsubscribe_url"] = unsubscribeURL
        values.merge(prospect.templateValues) { provided, _ in provided }
        let rendered: RenderedEmail
        do {
            rendered = try renderer.renderEmail(email, step: step, of: campaign, values: values)
        } catch {
            throw .render(error)
        }
        let unsubscribeMailbox = campaign.replyTo?.address ?? campaign.from.address
        let message = MailMessage(
            from: campaign.from,
            to: Mailbox(displayName: prospect.displayName, address: prospect.email),
            replyTo: campaign.replyTo,
            subject: rendered.subject,
            textBody: rendered.text,
            htmlBody: rendered.html,
            listUnsubscribe: ListUnsubscribe(url: unsubscribeURL, mailto: unsubscribeMailbox),
            extraHeaders: Self.trackingHeaders(campaign: campaign, step: step))
        return ComposedStep(message: try build(message), recipient: .prospect)
    }

    private func composeTask(_ task: TaskStep, step: Step, campaign: Campaign, prospect: Prospect, to owner: Mailbox)
        throws(ComposeError) -> ComposedStep
    {
        var values = providedValues(step: step, campaign: campaign)
        values.merge(prospect.templateValues) { provided, _ in provided }
        let rendered: RenderedTask
        do {
            rendered = try renderer.renderTask(task, step: step, of: campaign, values: values)
        } catch {
            throw .render(error)
        }
        let details = Self.prospectSummary(prospect, campaign: campaign, step: step)
        let text = rendered.text + "\n\n" + details
        let message = MailMessage(
            from: campaign.from,
            to: owner,
            replyTo: Mailbox(displayName: prospect.displayName, address: prospect.email),
            subject: "Task: \(rendered.subject)",
            textBody: text,
            htmlBody: HTMLDocument.preformatted(text, title: rendered.subject),
            extraHeaders: Self.trackingHeaders(campaign: campaign, step: step))
        return ComposedStep(message: try build(message), recipient: .owner)
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
