/// The names a template may use without the campaign declaring them.
public enum TemplateVariables {
    /// Fields a prospect record carries (from the CLI, a CSV or the API).
    public static let prospectFields: Set<String> = [
        "email", "first_name", "last_name", "full_name", "company", "title", "phone", "industry", "timezone",
    ]

    /// Values Nurture fills in itself for every message.
    public static let provided: Set<String> = [
        "unsubscribe_url", "campaign_name", "owner_name", "owner_email", "sender_name", "step_id",
    ]
}

extension Campaign {
    /// Template names that are neither a known prospect field, a value Nurture provides, nor in `defaults`.
    /// They are warnings, not errors: a prospect may well carry the attribute.
    func undeclaredVariableWarnings() -> [Diagnostic] {
        let known = TemplateVariables.prospectFields.union(TemplateVariables.provided).union(defaults.keys)
        var warnings: [Diagnostic] = []
        for step in steps {
            for template in step.templates {
                for name in template.variables.union(template.sections).sorted()
                where !known.contains(name.split(separator: ".").first.map(String.init) ?? name) {
                    let hint = Suggestions.closest(to: name, in: known).map { " (did you mean `\($0)`?)" } ?? ""
                    warnings.append(
                        Diagnostic(
                            .warning, at: template.location,
                            "step `\(step.id)` uses `{{\(name)}}`, which is neither a known prospect field nor in "
                                + "`defaults`\(hint); a prospect without it cannot get this step"
                        ))
                }
            }
        }
        return warnings
    }
}

extension Campaign {
    /// For a prospect with `attributes`: the steps whose templates print a field (outside a `{{#field}}` guard) that
    /// neither the prospect nor `defaults` has. Such a step is skipped for that prospect when it falls due, so an
    /// enrollment says so at once.
    public func stepsMissingFields(for attributes: [String: String]) -> [(step: String, fields: [String])] {
        let known = TemplateVariables.provided.union(["email"]).union(defaults.keys).union(
            attributes.filter { !$0.value.isEmpty }.keys)
        return steps.compactMap { step in
            let missing = Set(
                step.templates.flatMap(\.unguardedVariables)
                    .map { $0.split(separator: ".").first.map(String.init) ?? $0 }
            ).subtracting(known)
            return missing.isEmpty ? nil : (step.id, missing.sorted())
        }
    }
}
