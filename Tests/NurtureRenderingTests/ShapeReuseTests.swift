import Dispatch
import Foundation
import NurtureCampaigns
import NurtureTestSupport
import Synchronization
import Testing

@testable import NurtureRendering

/// Ink runs once per shape of body, and what a message gets from the shape is, byte for byte, what an Ink run of
/// its own gives (`renderEmailUncached`, the path every message took before).
struct ShapeReuseTests {
    typealias Outcome = Result<RenderedEmail, RenderError>

    /// Every web link tracked but the unsubscribe link, as the composer does.
    static func links(_ values: [String: String]) -> (String) -> String? {
        { url in url == values["unsubscribe_url"] ? nil : "https://t.example/c/\(url.utf8.count)" }
    }

    /// Subject, text and HTML as bytes: `String` equality would take canonically equivalent text as the same.
    static func bytes(_ outcome: Outcome) -> Result<[[UInt8]], RenderError> {
        outcome.map { [Array($0.subject.utf8), Array($0.text.utf8), Array($0.html.utf8)] }
    }

    static func outcome(_ render: () throws(RenderError) -> RenderedEmail) -> Outcome {
        do {
            return .success(try render())
        } catch {
            return .failure(error)
        }
    }

    /// Renders each set of values both ways, the reusing renderer shared by all of them, so that a shape met
    /// before is reused. Counts the renders and those that needed no Ink run; describes each difference.
    struct Comparison {
        var renders = 0
        var reused = 0
        var differences: [String] = []

        mutating func compare(body: String, defaults: [String: String], valueSets: [[String: String]]) throws {
            guard let (campaign, email, step) = try BodyCorpus.campaign(body: body, defaults: defaults) else { return }
            let renderer = StepRenderer()
            for values in valueSets {
                let runsBefore = renderer.inkRuns
                let reusing = ShapeReuseTests.outcome { () throws(RenderError) in
                    try renderer.renderEmail(
                        email, step: step, of: campaign, values: values, links: ShapeReuseTests.links(values))
                }
                let own = ShapeReuseTests.outcome { () throws(RenderError) in
                    try StepRenderer().renderEmailUncached(
                        email, step: step, of: campaign, values: values, links: ShapeReuseTests.links(values))
                }
                renders += 1
                if renderer.inkRuns == runsBefore { reused += 1 }
                if ShapeReuseTests.bytes(reusing) != ShapeReuseTests.bytes(own) {
                    differences.append(
                        "body \(body.debugDescription), values \(values), defaults \(defaults):\n"
                            + "reused \(reusing)\nown    \(own)")
                }
            }
        }
    }

    @Test func realAndRandomBodiesRenderAsTheirOwnInkRunWould() throws {
        var random = SeededGenerator(state: 20_260_611)
        let bodies = try BodyCorpus.realBodies() + (0..<400).map { _ in BodyCorpus.randomBody(using: &random) }
        var comparison = Comparison()
        for body in bodies {
            var valueSets: [[String: String]] = []
            for _ in 0..<6 {
                let values = BodyCorpus.randomValues(using: &random)
                // The second misses no shape the first met: the same shape, with other words.
                valueSets += [values, BodyCorpus.otherPlainValues(values, using: &random)]
            }
            try comparison.compare(
                body: body, defaults: BodyCorpus.defaultSets.randomElement(using: &random)!, valueSets: valueSets)
        }
        #expect(
            comparison.differences.isEmpty,
            "\(comparison.differences.count) differ; first: \(comparison.differences.prefix(3))")
        // The comparison means little unless reuse happens often.
        #expect(comparison.reused * 4 > comparison.renders, "\(comparison.reused) of \(comparison.renders) reused")
    }

    @Test func everyFragmentWithEveryValueRendersAsItsOwnInkRunWould() throws {
        var comparison = Comparison()
        let link = BodyCorpus.unsubscribeLinks[0]
        let valueSets =
            (BodyCorpus.plainValues + BodyCorpus.trickyValues).map { value in
                ["first_name": value, "company": "Acme", "unsubscribe_url": link]
            }
            + BodyCorpus.unsubscribeLinks.map { link in
                ["first_name": "Ann", "company": "Acme", "unsubscribe_url": link]
            }
        for fragment in BodyCorpus.fragments {
            let body = BodyCorpus.filling(fragment, v: "first_name", w: "company")
            try comparison.compare(body: "Hello.\n\n" + body + "\n", defaults: [:], valueSets: valueSets)
            try comparison.compare(body: body, defaults: [:], valueSets: valueSets)
        }
        #expect(
            comparison.differences.isEmpty,
            "\(comparison.differences.count) differ; first: \(comparison.differences.prefix(3))")
        // Many fragments and values are here because reuse must refuse them; still, a third or so is reused.
        #expect(comparison.reused * 4 > comparison.renders, "\(comparison.reused) of \(comparison.renders) reused")
    }

    @Test func aHundredProspectsOfOneStepTakeOneInkRun() throws {
        let (loaded, diagnostics) = CampaignLoader.load(
            file: BodyCorpus.root.appendingPathComponent("campaigns/web-lead-followup.yml").path)
        let campaign = try #require(loaded, "\(diagnostics)")
        let step = try #require(campaign.step(id: "thanks"))
        guard case .email(let email) = step.action else { throw CancellationError() }
        let renderer = StepRenderer()
        for number in 0..<100 {
            let values = [
                "first_name": BodyCorpus.plainValues[number % BodyCorpus.plainValues.count] + "\(number)",
                "company": number.isMultiple(of: 2) ? "Globex" : "Initech Systems",
                "unsubscribe_url": "https://go.acme.example/u/tok\(number)_x-\(number * 7919)",
            ]
            let rendered = try renderer.renderEmail(
                email, step: step, of: campaign, values: values, links: Self.links(values))
            let own = try renderer.renderEmailUncached(
                email, step: step, of: campaign, values: values, links: Self.links(values))
            #expect(Self.bytes(.success(rendered)) == Self.bytes(.success(own)))
        }
        // One for the shape, and one for each uncached render.
        #expect(renderer.inkRuns == 1 + 100)
    }

    @Test func copiesOfARendererOnManyThreadsShareItsShapes() throws {
        let (campaign, email, step) = try #require(try BodyCorpus.campaign(body: "Hi {{first_name}}!\n", defaults: [:]))
        let renderer = StepRenderer()
        let outcomes = Mutex([Outcome?](repeating: nil, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { number in
            let copy = renderer
            let outcome = Self.outcome { () throws(RenderError) in
                try copy.renderEmail(email, step: step, of: campaign, values: ["first_name": "Ann\(number)"])
            }
            outcomes.withLock { $0[number] = outcome }
        }
        let rendered = try outcomes.withLock { $0 }.map { try #require($0).get() }
        #expect(rendered.map(\.text) == (0..<64).map { "Hi Ann\($0)!\n" })
        // Threads that miss together each run Ink; no more than that.
        #expect(renderer.inkRuns < 8)
    }

    @Test(arguments: ["*Ann*", "Ann\nLee", " Ann", "Ann  Lee", "3 Ann", "Ann."])
    func aValueInkWouldReadAsMoreThanTextGetsAnInkRunOfItsOwn(value: String) throws {
        let (campaign, email, step) = try #require(try BodyCorpus.campaign(body: "Hi {{first_name}}!\n", defaults: [:]))
        let renderer = StepRenderer()
        _ = try renderer.renderEmail(email, step: step, of: campaign, values: ["first_name": "Ann"])
        let rendered = try renderer.renderEmail(email, step: step, of: campaign, values: ["first_name": value])
        #expect(renderer.inkRuns == 2)
        let own = try StepRenderer().renderEmailUncached(email, step: step, of: campaign, values: ["first_name": value])
        #expect(Self.bytes(.success(rendered)) == Self.bytes(.success(own)))
    }

    /// `String` equality would take the two for one shape; Ink keeps the bytes of each.
    @Test func bodiesThatDifferOnlyInUnicodeNormalizationAreTwoShapes() throws {
        let renderer = StepRenderer()
        for accent in ["\u{E9}", "e\u{301}"] {
            let (campaign, email, step) = try #require(
                try BodyCorpus.campaign(body: "Caf\(accent) {{first_name}}\n", defaults: [:]))
            let rendered = try renderer.renderEmail(email, step: step, of: campaign, values: ["first_name": "Ann"])
            #expect(Array(rendered.text.utf8) == Array("Caf\(accent) Ann\n".utf8))
        }
        #expect(renderer.inkRuns == 2)
    }

    @Test func aTemplateWithUnescapedValuesGetsAnInkRunPerMessage() throws {
        let (campaign, email, step) = try #require(
            try BodyCorpus.campaign(body: "Hi {{{first_name}}}!\n", defaults: [:]))
        let renderer = StepRenderer()
        for name in ["Ann", "Bob", "Eve"] {
            _ = try renderer.renderEmail(email, step: step, of: campaign, values: ["first_name": name])
        }
        #expect(renderer.inkRuns == 3)
    }
}
