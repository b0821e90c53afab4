/// A condition on a step, from what the prospect did in this enrollment or from their attributes:
/// `skip_if: clicked`, `skip_if: { clicked: value }`, `only_if: { industry: saas }`,
/// `only_if: { industry: [saas, fintech] }`. A step is skipped when any `skip_if` holds or any `only_if` does not.
public enum StepCondition: Sendable, Hashable, CustomStringConvertible {
    /// The prospect clicked a link of this campaign since enrolling: in `step`, or in any step when nil.
    case clicked(step: String?)
    /// The attribute equals one of `values` (ignoring case and surrounding spaces).
    case attribute(String, oneOf: [String])

    public var description: String {
        switch self {
        case .clicked(nil): "clicked"
        case .clicked(let step?): "clicked: \(step)"
        case .attribute(let name, let values):
            values.count == 1 ? "\(name): \(values[0])" : "\(name): [\(values.joined(separator: ", "))]"
        }
    }

    /// Whether it holds for a prospect with `attributes` who clicked in `clickedSteps` in this enrollment.
    public func holds(attributes: [String: String], clickedSteps: Set<String>) -> Bool {
        switch self {
        case .clicked(nil): !clickedSteps.isEmpty
        case .clicked(let step?): clickedSteps.contains(step)
        case .attribute(let name, let values):
            attributes[name].map { value in
                let value = value.trimmingCharacters(in: .whitespaces).lowercased()
                return values.contains { $0.lowercased() == value }
            } ?? false
        }
    }
}

extension StepCondition {
    var isAboutClicks: Bool {
        if case .clicked = self { return true }
        return false
    }
}

extension Campaign {
    /// Whether any step goes or not by what the prospect clicked: only then must a step's planning look clicks up.
    public var hasClickConditions: Bool {
        steps.contains { $0.skipIf.contains(where: \.isAboutClicks) || $0.onlyIf.contains(where: \.isAboutClicks) }
    }
}

extension Step {
    /// Its time and whether it goes depend on nothing about a prospect but the time zone and preferred channel: no
    /// `wait: { until: ATTRIBUTE }`, no condition. Plans for such a step can be shared between prospects.
    public var dependsOnlyOnZoneAndChannel: Bool {
        guard skipIf.isEmpty, onlyIf.isEmpty else { return false }
        if case .untilAttribute = timing { return false }
        return true
    }

    /// The first condition that keeps this step from going to the prospect, described for `plan` and `timeline`;
    /// nil when it goes.
    public func unmetCondition(attributes: [String: String], clickedSteps: Set<String>) -> String? {
        if let met = skipIf.first(where: { $0.holds(attributes: attributes, clickedSteps: clickedSteps) }) {
            return "`skip_if: \(met)` holds"
        }
        if let unmet = onlyIf.first(where: { !$0.holds(attributes: attributes, clickedSteps: clickedSteps) }) {
            switch unmet {
            case .attribute(let name, _):
                let value = attributes[name].map { "`\($0)`" } ?? "not set"
                return "`only_if: \(unmet)` does not hold (\(name) is \(value))"
            case .clicked(let step):
                let where_ = step.map { "a link in `\($0)`" } ?? "a link"
                return "`only_if: \(unmet)`: goes only to a prospect who clicked \(where_), and this one has not (yet)"
            }
        }
        return nil
    }
}
