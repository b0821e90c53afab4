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
///
/// Prospects of one step mostly differ only in the values filled in, so Ink runs once per shape of body: the body
/// is rendered with a placeholder for each value, Ink's HTML for that is kept, and the values go into it where the
/// placeholders went, escaped as Ink would have written them. Whenever that cannot be known to give the same bytes
/// as an Ink run of the message's own (see `BodyShape`, `StandIn`), the message gets one.
public struct StepRenderer: Sendable {
    /// A reference: copies of the renderer (in a composer, on each of its threads) share what it learns.
    private let shapes = ShapeCache()

    public init() {}

    /// - Parameters:
    ///   - values: the prospect's fields and the values Nurture provides (`unsubscribe_url`, ...).
    ///   - links: for each http(s) link of the body, the URL to put in its place (a tracked redirect), or nil to
    ///     keep it. Applied to the HTML, so the plain-text part carries the same links.
    public func renderEmail(
        _ email: EmailStep, step: Step, of campaign: Campaign, values: [String: String],
        links: (String) -> String? = { _ in nil }
    ) throws(RenderError) -> RenderedEmail {
        try renderEmail(email, step: step, of: campaign, values: values, links: links, reusingShapes: true)
    }

    /// `renderEmail` with an Ink run for this message alone, as every message had before: what it must match.
    func renderEmailUncached(
        _ email: EmailStep, step: Step, of campaign: Campaign, values: [String: String],
        links: (String) -> String? = { _ in nil }
    ) throws(RenderError) -> RenderedEmail {
        try renderEmail(email, step: step, of: campaign, values: values, links: links, reusingShapes: false)
    }

    /// How many times Ink has read a body for this renderer (and its copies).
    var inkRuns: Int { shapes.inkRuns }

    private func renderEmail(
        _ email: EmailStep, step: Step, of campaign: Campaign, values: [String: String],
        links: (String) -> String?, reusingShapes: Bool
    ) throws(RenderError) -> RenderedEmail {
        let scope = Scope(campaign: campaign, step: step, values: values)
        let subject = try scope.render(email.subject, asMarkdown: false)
        // Every email carries a visible way out, unless the body already placed it.
        let footerLink = email.body.variables.contains("unsubscribe_url") ? nil : values["unsubscribe_url"]
        var bodyHTML: String
        if reusingShapes, let reused = try reusedHTML(email.body, scope: scope) {
            bodyHTML = reused
        } else {
            bodyHTML = shapes.html(try scope.render(email.body, asMarkdown: true))
        }
        if let footerLink { bodyHTML += Self.footer(linking: footerLink) }
        let htmlFragment = LinkRewriter.rewrite(bodyHTML, links)
        return RenderedEmail(
            subject: subject,
            text: PlainText(html: htmlFragment).text,
            html: HTMLDocument.wrap(htmlFragment, title: subject))
    }

    /// The body's HTML from its shape's, with this message's values in; nil when that might not be the same bytes.
    private func reusedHTML(_ body: Template, scope: Scope) throws(RenderError) -> String? {
        // A tag that is not a plain `{{name}}` or section could put a value in unescaped, or changed; and a
        // placeholder must not be confused with a character of the template.
        guard body.usesOnlyPlainTags, !StandIn.mayOccur(in: body.source),
            let rendered = try scope.renderWithStandIns(body)
        else { return nil }
        return shapes.shape(of: rendered.markdown)?.html(filling: rendered.values)
    }

    /// The way out, under a body that does not place it: written after Ink's HTML rather than given to Ink with the
    /// body, where whatever the body left open (a raw `<div>`, a stray `</ol>`, a code fence) took it in as text,
    /// and the message went without a link to unsubscribe.
    private static func footer(linking url: String) -> String {
        "<hr><p>To stop receiving these emails, <a href=\"\(HTMLDocument.escape(url))\">unsubscribe</a>.</p>"
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
        try render(template, asMarkdown: asMarkdown, with: Lookup(values: values, defaults: campaign.defaults))
    }

    /// A Markdown body with a placeholder (`StandIn`) for each value, and the values by placeholder; nil if the
    /// template has more names than there are placeholders. Sections see the real values.
    func renderWithStandIns(_ template: Template) throws(RenderError) -> (markdown: String, values: [String])? {
        let lookup = Lookup(values: values, defaults: campaign.defaults, standingIn: [])
        let markdown = try render(template, asMarkdown: true, with: lookup)
        return lookup.standIns.map { (markdown, $0) }
    }

    private func render(_ template: Template, asMarkdown: Bool, with lookup: Lookup) throws(RenderError) -> String {
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
    /// When placeholders stand in for the values: the values they stand for, by placeholder; nil once they ran out.
    private(set) var standIns: [String]?
    private var placeholders: [String: String] = [:]

    init(values: [String: String], defaults: [String: String], standingIn standIns: [String]? = nil) {
        self.values = values
        self.defaults = defaults
        self.standIns = standIns
    }

    func child(named name: String) -> Any? {
        guard let value = value(named: name) else {
            misses.insert(name)
            return nil
        }
        guard let count = standIns?.count else { return value }
        if let placeholder = placeholders[name] { return placeholder }
        guard count < StandIn.capacity else {
            standIns = nil
            return value
        }
        let placeholder = StandIn.placeholder(count)
        placeholders[name] = placeholder
        standIns?.append(value)
        return placeholder
    }

    private func value(named name: String) -> String? {
        if let value = values[name], !value.isEmpty { return value }
        if let value = defaults[name], !value.isEmpty { return value }
        return nil
    }
}
