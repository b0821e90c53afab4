import Yams

/// The keys that shape a prospect's timeline beyond a plain `wait` or `at`: `wait: { until: ..., offset: ... }`,
/// `max_lateness`, `min_gap` and `thread`. They live beside `CampaignParser` so it only has to call them.
extension YAMLReader {
    static let untilWaitKeys = ["until", "offset"]

    /// `wait: { until: demo_date, offset: -1 day }`: the date a prospect attribute holds, moved by a signed wait.
    mutating func untilAttributeTiming(_ node: Node) -> StepTiming? {
        let problemsBefore = log.diagnostics.count
        guard let fields = mapping(node, of: "`wait`", allowed: Self.untilWaitKeys) else { return nil }
        guard let attributeNode = fields["until"] else {
            // A misspelt `until` was already reported with a suggestion; saying it is missing too is noise.
            if log.diagnostics.count == problemsBefore {
                log.error(
                    location(of: node),
                    "a `wait` mapping needs `until`, the prospect attribute holding the date, "
                        + "like `{ until: demo_date, offset: -1 day }`")
            }
            return nil
        }
        guard let attribute = nonEmptyString(attributeNode, key: "until") else { return nil }
        guard Self.isAttributeName(attribute) else {
            log.error(
                location(of: attributeNode),
                "`until: \(attribute)` must name the prospect attribute that holds the date, like `until: demo_date`")
            return nil
        }
        var offset = WaitOffset.none
        if let offsetNode = fields["offset"] {
            guard let text = nonEmptyString(offsetNode, key: "offset") else { return nil }
            do {
                offset = try WaitOffset(parsing: text)
            } catch {
                log.error(location(of: offsetNode), error.message(for: text, key: "offset"))
                return nil
            }
        }
        guard log.diagnostics.count == problemsBefore else { return nil }
        return .untilAttribute(attribute, offset: offset)
    }

    /// A campaign-wide duration: `max_lateness: 1 day`, `min_gap: 2 days`.
    mutating func campaignWait(_ node: Node, key: String) -> Wait? {
        guard let text = nonEmptyString(node, key: key) else { return nil }
        let wait: Wait
        do {
            wait = try Wait(parsing: text)
        } catch {
            log.error(location(of: node), error.message(for: text, key: key))
            return nil
        }
        if key == "max_lateness", wait.isImmediate {
            // The scheduler always wakes a moment after a step's time: zero would skip nearly every step.
            log.error(
                location(of: node),
                "`max_lateness: \(text)` would skip every step sent even a second late; give a duration like "
                    + "`1 day`, or leave `max_lateness` out to send late steps anyway")
            return nil
        }
        return wait
    }

    /// `thread: true` continues an earlier email's thread, so it makes no sense on a task or on the first email.
    mutating func checkThread(of step: Step, in item: Node, followsAnEmail: Bool) {
        guard step.repliesInThread, let node = item.mapping?["thread"] else { return }
        if !step.isEmail {
            log.error(
                location(of: node),
                "`thread: true` is for email steps; step `\(step.id)` is a task for the owner, so remove `thread`")
        } else if !followsAnEmail {
            log.error(
                location(of: node),
                "step `\(step.id)` has `thread: true` but no earlier email step to reply to; "
                    + "the first email starts the thread, so remove `thread` from it")
        }
    }

    /// Attribute names as forms and CSV headers spell them: `demo_date`, `renewalDate`, `contract.end`.
    static func isAttributeName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0))
        }
    }
}
