import Foundation
import NurtureCampaigns
import NurtureTimeline
import Testing

/// `skip_if` and `only_if`: a step goes to a prospect only when its conditions allow, and the plan says why not.
struct StepConditionTests {
    static let steps = """
          - { id: thanks, wait: 0, send_window: any, email: { subject: "Thanks", body: body.md } }
          - { id: saas-story, wait: 1 day, only_if: { industry: [saas, fintech] }, email: { subject: "S", body: body.md } }
          - { id: nudge, wait: 2 days, skip_if: clicked, email: { subject: "N", body: body.md } }
          - { id: pricing, wait: 2 days, skip_if: { clicked: thanks, plan: enterprise }, email: { subject: "P", body: body.md } }
        """

    func plan(attributes: [String: String], clicked: Set<String> = []) throws -> [PlannedStep] {
        let campaign = try Fixtures.campaign(steps: Self.steps)
        let start = try Fixtures.instant("2026-11-23T10:00:00-05:00")
        var planner = StepPlanner(
            campaign: campaign, prospectTimeZone: nil, attributes: attributes, enrolledAt: start)
        planner.clickedSteps = clicked
        return planner.plan(anchor: start, lastEmailSent: nil, now: start)
    }

    /// The scheduler looks clicks up for a step only when the campaign has a condition on them.
    @Test func aCampaignHasClickConditionsOnlyWhenAStepSkipsOrGoesByAClick() throws {
        #expect(try Fixtures.campaign(steps: Self.steps).hasClickConditions)
        let onlyAttributes = Self.steps.split(separator: "\n").filter { !$0.contains("clicked") }
            .joined(separator: "\n")
        #expect(try !Fixtures.campaign(steps: onlyAttributes).hasClickConditions)
        let onlyIfClicked = """
              - { id: thanks, wait: 0, send_window: any, email: { subject: "Thanks", body: body.md } }
              - { id: more, wait: 1 day, only_if: { clicked: thanks }, email: { subject: "M", body: body.md } }
            """
        #expect(try Fixtures.campaign(steps: onlyIfClicked).hasClickConditions)
    }

    @Test func onlyIfSendsOnlyToProspectsWithOneOfTheValuesIgnoringCase() throws {
        let saas = try plan(attributes: ["industry": " SaaS "])
        #expect(saas.map(\.isSkipped) == [false, false, false, false])
        let retail = try plan(attributes: ["industry": "retail"])
        #expect(retail[1].isSkipped)
        #expect(
            retail[1].explanations == [
                "skipped: `only_if: industry: [saas, fintech]` does not hold (industry is `retail`)"
            ])
        let unknown = try plan(attributes: [:])
        #expect(
            unknown[1].explanations == [
                "skipped: `only_if: industry: [saas, fintech]` does not hold (industry is not set)"
            ])
    }

    @Test func skipIfClickedSkipsForAProspectWhoClickedInThisEnrollment() throws {
        let clickedAnything = try plan(attributes: ["industry": "saas"], clicked: ["saas-story"])
        #expect(clickedAnything[2].isSkipped)
        #expect(clickedAnything[2].explanations.last == "skipped: `skip_if: clicked` holds")
        #expect(!clickedAnything[3].isSkipped, "pricing is skipped only for a click in `thanks`")
        let clickedThanks = try plan(attributes: ["industry": "saas"], clicked: ["thanks"])
        #expect(clickedThanks[3].explanations.last == "skipped: `skip_if: clicked: thanks` holds")
    }

    @Test func anyOneSkipIfIsEnough() throws {
        let enterprise = try plan(attributes: ["industry": "saas", "plan": "Enterprise"])
        #expect(enterprise[3].explanations.last == "skipped: `skip_if: plan: enterprise` holds")
    }

    @Test func aSkippedStepKeepsItsTimeSoTheStepsAfterItKeepTheirRhythm() throws {
        let retail = try plan(attributes: ["industry": "retail"])
        let saas = try plan(attributes: ["industry": "saas"])
        #expect(retail[1].due == saas[1].due, "skipped at the time it would have gone")
        #expect(retail[2].due == saas[2].due, "the nudge still counts its two days from there")
    }
}
