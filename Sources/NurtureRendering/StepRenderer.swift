import Ink
import Mustache
import NurtureCampaigns

/// An email step filled in for one prospect, before it becomes a MIME message.
public struct RenderedEmail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String
}

/// A task step filled in for one prospect: the reminder the owner gets.
public struct RenderedTask: Sendable, Equatable {
    public let subject: String
    public let text: String
}

/// A template could not be filled in for this prospect.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let campaign: String
    public let step: String
    public let variable: String
    public let location: SourceLocation

    public var description: String {
        "step `\(step)` of `\(campaign)` needs `{{\(variable)}}`, but the prospect has no `\(variable)` and the "
            + "campaign has no default for it; pass `--var \(variable)=...` or add `\(variable)` to the campaign's "
            + "`defaults` (\(location))"
    }
}

/// Fills a campaign step's templates in for one prospect: Mustache first, then Markdown to HTML and plain text.
public struct StepRenderer: Sendable {
    public init() {}

    /// - Parameters:
    ///   - values: the prospect's fields and the values Nurture provides (`unsubscribe_url`, ...).
    ///   - links: for each http(s) link of the body, the URL to put in its place (a tracked redirect), or nil to
    ///     keep it. Applied to the HTML, so the plain-text part carries the same links.
    public func renderEmail(
        _ email: EmailStep, step: Step, of campaign: Campaign, values: [String: String],
        links: (String) -> String? = { _ in nil }
    ) throws(RenderError) -> RenderedEmail {
        let scope = Scope(campaign: campaign, step: step, values: values)
        let subject = try scope.render(email.subject, asMarkdown: false)
        var bodyMarkdown = try scope.render(email.body, asMarkdown: true)
        // Every email carries a visible way out, unless the body already placed it.
        if let url = values["unsubscribe_url"], !email.body.variables.contains("unsubscribe_url") {
            bodyMarkdown += "\n\n---\n\nTo stop receiving these emails, [unsubscribe](\(url)).\n"
        }
        let htmlFragment = LinkRewriter.rewrite(
            MarkdownParser().html(from: UnclosedTags.escaped(Autolinks.expand(BracketNesting.limited(bodyMarkdown)))),
            links)
        return RenderedEmail(
            subject: subject,
            text: PlainText(html: htmlFragment).text,
            html: HTMLDocument.wrap(htmlFragment, title: subject))
    }

    public func renderTask(_ task: TaskStep, step: Step, of campaign: Campaign, values: [String: String])
        throws(RenderError) -> RenderedTask
    {
        let scope = Scope(campaign: campaign, step: step, values: values)
        let subject = try scope.render(task.subject, asMarkdown: false)
        let text = try task.body.map { template throws(RenderError) in try scope.render(template, asMarkdown: false) }
        return RenderedTask(subject: subject, text: text ?? subject)
    }
}

/// The values one render may use, and the rule for a missing one.
private struct Scope {
    let campaign: Campaign
    let step: Step
    let values: [String: String]

    func render(_ template: Template, asMarkdown: Bool) throws(RenderError) -> String {
        let lookup = Lookup(values: values, defaults: campaign.defaults)
        let output = (asMarkdown ? template.compiledAsMarkdown : template.compiledAsText).render(lookup)
        // A missing `{{name}}` would print nothing: refuse. Inside `{{#name}}...{{/name}}` it is never reached.
        if let missing = lookup.misses.sorted().first(where: template.unguardedVariables.contains) {
            throw RenderError(campaign: campaign.id, step: step.id, variable: missing, location: template.location)
        }
        return output
    }
}

/// What Mustache sees: the prospect's values, then the campaign's defaults; empty counts as missing.
private final class Lookup: MustacheParent {
    let values: [String: String]
    let defaults: [String: String]
    private(set) var misses = Set<String>()

    init(values: [String: String], defaults: [String: String]) {
        self.values = values
        self.defaults = defaults
    }

    func child(named name: String) -> Any? {
        if let value = values[name], !value.isEmpty { return value }
        if let value = defaults[name], !value.isEmpty { return value }
        misses.insert(name)
        return nil
    }
}
