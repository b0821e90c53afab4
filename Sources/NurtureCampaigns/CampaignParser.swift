import Foundation
import NurtureCore
import Yams

/// Reads one campaign file into a `Campaign`, reporting every problem it finds with its position.
struct CampaignParser {
    private var reader: YAMLReader
    private let directory: URL

    static let campaignKeys = [
        "id", "name", "from", "reply_to", "owner", "timezone", "send_window", "holidays", "defaults", "priority",
        "concurrent", "steps", "max_lateness", "min_gap", "on_click",
    ]
    static let stepKeys = [
        "id", "wait", "at", "send_window", "email", "task", "breakup", "thread", "skip_if", "only_if",
    ]
    static let emailKeys = ["subject", "body"]
    static let taskKeys = ["subject", "body"]
    static let windowKeys = ["days", "hours"]

    /// - Parameters:
    ///   - path: the path shown in diagnostics.
    ///   - directory: where body paths are resolved from.
    init(path: String, directory: URL) {
        self.reader = YAMLReader(file: path)
        self.directory = directory
    }

    var diagnostics: [Diagnostic] { reader.log.diagnostics }
    /// The campaign's id as the file gives it, even when the file is broken: so a command can say why.
    private(set) var declaredID: String?
    /// Where `on_click.enroll` is, for the folder-wide check that its campaign exists.
    private(set) var onClickReference: SourceLocation?
    /// `skip_if`/`only_if: { clicked: STEP }`, checked against the campaign's steps once all are read.
    private var clickedStepReferences: [(step: String, location: SourceLocation)] = []

    mutating func parse(_ text: String) -> Campaign? {
        guard let root = reader.compose(text),
            let fields = reader.mapping(root, of: "a campaign", allowed: Self.campaignKeys)
        else { return nil }

        let id = required("id", in: fields, root).flatMap { identifier($0, key: "id") }
        declaredID = id
        let name = fields["name"].flatMap { reader.nonEmptyString($0, key: "name") }
        let from = required("from", in: fields, root).flatMap { mailbox($0, key: "from") }
        let replyTo = fields["reply_to"].flatMap { mailbox($0, key: "reply_to") }
        let owner = required("owner", in: fields, root).flatMap { mailbox($0, key: "owner") }
        let zone = fields["timezone"].flatMap { timeZone($0) } ?? "UTC"
        var campaignWindow = SendWindow.always
        if let node = fields["send_window"], case .custom(let custom)? = sendWindow(node, allowAny: false) {
            campaignWindow = custom
        }
        let holidays = fields["holidays"].map { holidayDates($0) } ?? []
        let defaults = fields["defaults"].map { defaultValues($0) } ?? [:]
        let priority = fields["priority"].flatMap { reader.int($0, key: "priority") } ?? 0
        let concurrent = fields["concurrent"].flatMap { reader.bool($0, key: "concurrent") } ?? false
        let maxLateness = fields["max_lateness"].flatMap { reader.campaignWait($0, key: "max_lateness") }
        let minimumGap = fields["min_gap"].flatMap { reader.campaignWait($0, key: "min_gap") }
        let steps = required("steps", in: fields, root).map { self.steps($0) } ?? []
        let onClickEnroll = fields["on_click"].flatMap { onClick($0) }

        let stepIDs = steps.map(\.id)
        for (step, location) in clickedStepReferences where step != "any" && !stepIDs.contains(step) {
            reader.log.error(
                location,
                "`clicked: \(step)` names no step of this campaign\(Suggestions.hint(for: step, in: stepIDs)); use "
                    + "a step id, or `clicked` for any")
        }
        guard !reader.log.hasErrors, let id, let from, let owner else { return nil }
        return Campaign(
            id: id, name: name ?? id, from: from, replyTo: replyTo, owner: owner, timeZoneIdentifier: zone,
            sendWindow: campaignWindow, holidays: holidays, defaults: defaults, priority: priority,
            concurrent: concurrent, maxLateness: maxLateness, minimumGap: minimumGap, steps: steps,
            onClickEnroll: onClickEnroll, onClickLocation: onClickReference, path: reader.file)
    }

    // MARK: Fields

    private mutating func required(_ key: String, in fields: [String: Node], _ parent: Node) -> Node? {
        guard let node = fields[key] else {
            // A misspelt key was already reported with its suggestion; saying it is missing too is noise.
            if !reader.misspelt(key, in: parent) {
                reader.log.error(reader.location(of: parent), "missing required key `\(key)`")
            }
            return nil
        }
        return node
    }

    private mutating func identifier(_ node: Node, key: String) -> String? {
        guard let text = reader.nonEmptyString(node, key: key) else { return nil }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard allowed, text.unicodeScalars.first.map({ ("a"..."z").contains($0) || ("0"..."9").contains($0) }) == true
        else {
            reader.log.error(
                reader.location(of: node),
                "`\(key): \(text)` must use lower-case letters, digits, `-` and `_`, starting with a letter or digit")
            return nil
        }
        return text
    }

    private mutating func mailbox(_ node: Node, key: String) -> Mailbox? {
        guard let text = reader.nonEmptyString(node, key: key) else { return nil }
        do {
            return try Mailbox(text)
        } catch {
            reader.log.error(reader.location(of: node), "`\(key)`: \(error)")
            return nil
        }
    }

    private mutating func timeZone(_ node: Node) -> String? {
        guard let text = reader.nonEmptyString(node, key: "timezone") else { return nil }
        guard TimeZone(identifier: text) != nil, text.contains("/") || text == "UTC" || text == "GMT" else {
            let hint = Suggestions.hint(for: text, in: TimeZone.knownTimeZoneIdentifiers)
            reader.log.error(
                reader.location(of: node),
                "unknown time zone `\(text)`\(hint.isEmpty ? "; use an IANA name like `America/New_York`" : hint)")
            return nil
        }
        return text
    }

    private mutating func holidayDates(_ node: Node) -> Set<LocalDate> {
        guard let items = reader.sequence(node, key: "holidays") else { return [] }
        var dates = Set<LocalDate>()
        for item in items {
            guard let text = item.scalar?.string else {
                reader.log.error(reader.location(of: item), "a holiday must be one date, like `2026-12-25`")
                continue
            }
            guard let date = LocalDate(parsing: text) else {
                reader.log.error(reader.location(of: item), "holiday `\(text)` is not a date; write it as YYYY-MM-DD")
                continue
            }
            dates.insert(date)
        }
        return dates
    }

    private mutating func defaultValues(_ node: Node) -> [String: String] {
        guard let mapping = node.mapping else {
            reader.log.error(reader.location(of: node), "`defaults` must be a mapping like `{ first_name: there }`")
            return [:]
        }
        var values: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let text = reader.string(value, key: "defaults.\(name)") else {
                continue
            }
            if text.containsHeaderBreakingCharacter {
                reader.log.error(reader.location(of: value), "`defaults.\(name)` must be one line")
            }
            values[name] = text
        }
        return values
    }

    // MARK: Send windows

    private mutating func sendWindow(_ node: Node, allowAny: Bool) -> StepWindow? {
        if node.mapping == nil {
            if node.scalar?.string == "any" {
                if allowAny { return .any }
                reader.log.error(
                    reader.location(of: node),
                    "`send_window: any` is for steps; a campaign with no window simply leaves `send_window` out")
                return nil
            }
            reader.log.error(
                reader.location(of: node),
                "`send_window` must be `{ days: [mon, tue, wed, thu, fri], hours: \"08:30-17:00\" }`"
                    + (allowAny ? " or `any`" : ""))
            return nil
        }
        guard let fields = reader.mapping(node, of: "`send_window`", allowed: Self.windowKeys) else { return nil }
        let days = fields["days"].map { weekdays($0) } ?? Set(Weekday.allCases)
        let hours = fields["hours"].flatMap { hoursRange($0) } ?? (SendWindow.always.opens, SendWindow.always.closes)
        guard !days.isEmpty else { return nil }
        return .custom(SendWindow(days: days, opens: hours.0, closes: hours.1))
    }

    private mutating func weekdays(_ node: Node) -> Set<Weekday> {
        guard let items = reader.sequence(node, key: "days") else { return [] }
        let errorsBefore = reader.log.errorCount
        var days = Set<Weekday>()
        for item in items {
            guard let text = reader.string(item, key: "days") else { continue }
            let ends = text.split(separator: "-").map(String.init)
            let parsed = ends.map { Weekday(name: $0) }
            if ends.count == 1, let day = parsed[0] {
                days.insert(day)
            } else if ends.count == 2, let first = parsed[0], let last = parsed[1] {
                // A range runs forward through the week, past the weekend if need be: `mon-sun`, `fri-mon`.
                days.formUnion(
                    Weekday.allCases.filter { first <= last ? $0 >= first && $0 <= last : $0 >= first || $0 <= last })
            } else {
                let word = zip(ends, parsed).first { $0.1 == nil }?.0 ?? text
                let hint = Suggestions.hint(for: word, in: Weekday.allCases.map(\.name))
                reader.log.error(
                    reader.location(of: item),
                    "unknown day `\(text)`\(hint.isEmpty ? "; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri" : hint)"
                )
            }
        }
        if days.isEmpty, reader.log.errorCount == errorsBefore {
            reader.log.error(reader.location(of: node), "`days` is empty; list at least one day")
        }
        return days
    }

    private mutating func hoursRange(_ node: Node) -> (TimeOfDay, TimeOfDay)? {
        guard let text = reader.nonEmptyString(node, key: "hours") else { return nil }
        let ends = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, let opens = TimeOfDay(parsing: ends[0]), let closes = TimeOfDay(parsing: ends[1]) else {
            reader.log.error(reader.location(of: node), "`hours: \(text)` must be `HH:MM-HH:MM`, like `08:30-17:00`")
            return nil
        }
        guard opens != closes else {
            reader.log.error(
                reader.location(of: node),
                "`hours: \(text)` opens and closes at once; give it a closing time after it opens")
            return nil
        }
        guard opens < closes else {
            reader.log.error(
                reader.location(of: node),
                "`hours: \(text)` closes before it opens; windows cannot span midnight, so write e.g. `08:00-18:00`")
            return nil
        }
        return (opens, closes)
    }

    // MARK: Steps

    private mutating func steps(_ node: Node) -> [Step] {
        guard let items = reader.sequence(node, key: "steps") else { return [] }
        if items.isEmpty { reader.log.error(reader.location(of: node), "`steps` is empty; add at least one step") }
        var steps: [Step] = []
        var seen: [String: SourceLocation] = [:]
        var followsAnEmail = false
        for item in items {
            guard let step = step(item) else { continue }
            reader.checkThread(of: step, in: item, followsAnEmail: followsAnEmail)
            followsAnEmail = followsAnEmail || step.isEmail
            if let first = seen[step.id] {
                reader.log.error(
                    step.location,
                    "duplicate step id `\(step.id)` (first used at \(first.line):\(first.column)); step ids must be unique"
                )
            }
            seen[step.id] = seen[step.id] ?? step.location
            steps.append(step)
        }
        if let breakup = steps.dropLast().first(where: \.isBreakup) {
            reader.log.error(
                breakup.location, "step `\(breakup.id)` is a breakup step but not the last; move it to the end")
        }
        return steps
    }

    private mutating func step(_ node: Node) -> Step? {
        guard let fields = reader.mapping(node, of: "a step", allowed: Self.stepKeys) else { return nil }
        let idNode = required("id", in: fields, node)
        let id = idNode.flatMap { identifier($0, key: "id") }
        let location = reader.location(of: idNode ?? node)
        let timing = stepTiming(fields, node)
        let window = fields["send_window"].map { sendWindow($0, allowAny: true) } ?? .campaign
        let isBreakup = fields["breakup"].flatMap { reader.bool($0, key: "breakup") } ?? false
        let repliesInThread = fields["thread"].flatMap { reader.bool($0, key: "thread") } ?? false
        let skipIf = fields["skip_if"].map { conditions($0, key: "skip_if") } ?? []
        let onlyIf = fields["only_if"].map { conditions($0, key: "only_if") } ?? []
        let action: StepAction?
        switch (fields["email"], fields["task"]) {
        case (let email?, nil): action = emailStep(email).map(StepAction.email)
        case (nil, let task?): action = taskStep(task).map(StepAction.task)
        case (.some, .some):
            reader.log.error(location, "step `\(id ?? "?")` has both `email` and `task`; a step does one thing")
            action = nil
        case (nil, nil):
            if !reader.misspelt("email", in: node) && !reader.misspelt("task", in: node) {
                reader.log.error(location, "step `\(id ?? "?")` needs an `email` or a `task`")
            }
            action = nil
        }
        guard let id, let timing, let window, let action else { return nil }
        return Step(
            id: id, timing: timing, window: window, action: action, isBreakup: isBreakup,
            repliesInThread: repliesInThread, skipIf: skipIf, onlyIf: onlyIf, location: location)
    }

    /// `clicked`, or a mapping of `clicked: STEP` and `attribute: value` / `attribute: [values]`.
    private mutating func conditions(_ node: Node, key: String) -> [StepCondition] {
        if let text = node.scalar?.string {
            guard text == "clicked" else {
                reader.log.error(
                    reader.location(of: node),
                    "`\(key): \(text)` must be `clicked` or a mapping like `{ industry: saas }` or `{ clicked: STEP }`")
                return []
            }
            return [.clicked(step: nil)]
        }
        guard let mapping = node.mapping, !mapping.isEmpty else {
            reader.log.error(
                reader.location(of: node), "`\(key)` must be `clicked` or a mapping like `{ industry: saas }`")
            return []
        }
        var conditions: [StepCondition] = []
        for (nameNode, value) in mapping {
            guard let name = nameNode.scalar?.string, !name.isEmpty else { continue }
            if name == "clicked" {
                guard let step = reader.nonEmptyString(value, key: "\(key).clicked") else { continue }
                conditions.append(.clicked(step: step == "any" ? nil : step))
                clickedStepReferences.append((step, reader.location(of: value)))
                continue
            }
            let values: [String]
            if let items = value.sequence {
                values = items.compactMap { reader.string($0, key: "\(key).\(name)") }
            } else if let text = reader.string(value, key: "\(key).\(name)") {
                values = [text]
            } else {
                continue
            }
            guard !values.isEmpty else {
                reader.log.error(reader.location(of: value), "`\(key).\(name)` needs at least one value")
                continue
            }
            conditions.append(.attribute(name, oneOf: values))
        }
        return conditions
    }

    /// `on_click: { enroll: CAMPAIGN }`; that the campaign exists is checked across the folder.
    private mutating func onClick(_ node: Node) -> String? {
        let errorsBefore = reader.log.errorCount
        guard let fields = reader.mapping(node, of: "`on_click`", allowed: ["enroll"]) else { return nil }
        guard let target = fields["enroll"] else {
            // An unknown key already said what is wrong (`enrol`: did you mean `enroll`?).
            if reader.log.errorCount == errorsBefore {
                reader.log.error(reader.location(of: node), "`on_click` needs `enroll: CAMPAIGN`")
            }
            return nil
        }
        onClickReference = reader.location(of: target)
        return identifier(target, key: "on_click.enroll")
    }

    private mutating func stepTiming(_ fields: [String: Node], _ node: Node) -> StepTiming? {
        switch (fields["wait"], fields["at"]) {
        case (let wait?, nil):
            if wait.mapping != nil { return reader.untilAttributeTiming(wait) }
            guard let text = reader.string(wait, key: "wait") else { return nil }
            do {
                return .after(try Wait(parsing: text))
            } catch {
                reader.log.error(reader.location(of: wait), error.message(for: text))
                return nil
            }
        case (nil, let at?):
            guard let text = reader.string(at, key: "at") else { return nil }
            let parts = text.split(separator: " ")
            guard parts.count == 2, parts[0] == "day", let day = Int(parts[1]), day >= 0 else {
                reader.log.error(
                    reader.location(of: at), "`at: \(text)` must be `day N`, counted from enrollment, like `at: day 14`"
                )
                return nil
            }
            return .dayOfEnrollment(day)
        case (.some, .some):
            reader.log.error(
                reader.location(of: node),
                "a step has either `wait` (after the previous step) or `at` (from enrollment), not both")
            return nil
        case (nil, nil):
            guard !reader.misspelt("wait", in: node), !reader.misspelt("at", in: node) else { return nil }
            reader.log.error(
                reader.location(of: node),
                "a step needs `wait` (e.g. `wait: 2 days`, or `wait: 0` for at once) or `at: day N`")
            return nil
        }
    }

    private mutating func emailStep(_ node: Node) -> EmailStep? {
        guard let fields = reader.mapping(node, of: "`email`", allowed: Self.emailKeys) else { return nil }
        let subject = required("subject", in: fields, node).flatMap { inlineTemplate($0, key: "subject") }
        let bodyNode = required("body", in: fields, node)
        let bodyPath = bodyNode.flatMap { reader.nonEmptyString($0, key: "body") }
        guard let bodyNode, let bodyPath, let body = bodyTemplate(path: bodyPath, node: bodyNode), let subject else {
            return nil
        }
        return EmailStep(subject: subject, body: body, bodyPath: bodyPath)
    }

    private mutating func taskStep(_ node: Node) -> TaskStep? {
        guard let fields = reader.mapping(node, of: "`task`", allowed: Self.taskKeys) else { return nil }
        let subject = required("subject", in: fields, node).flatMap { inlineTemplate($0, key: "subject") }
        let body = fields["body"].flatMap { inlineTemplate($0, key: "body") }
        guard let subject else { return nil }
        return TaskStep(subject: subject, body: body)
    }

    private mutating func inlineTemplate(_ node: Node, key: String) -> Template? {
        guard let text = reader.nonEmptyString(node, key: key) else { return nil }
        if key == "subject", text.containsHeaderBreakingCharacter {
            reader.log.error(reader.location(of: node), "`subject` must be one line")
            return nil
        }
        // A quoted value starts one column after its quote, and Mustache counts from the value.
        var start = reader.location(of: node)
        if let style = node.scalar?.style, style == .singleQuoted || style == .doubleQuoted {
            start = SourceLocation(file: start.file, line: start.line, column: start.column + 1)
        }
        return compile(text, at: start)
    }

    private mutating func bodyTemplate(path: String, node: Node) -> Template? {
        let url = URL(fileURLWithPath: path, relativeTo: directory)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            reader.log.error(
                reader.location(of: node),
                "body file `\(path)` is a folder; name the Markdown file in it, like `\(path)/NAME.md`")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            reader.log.error(
                reader.location(of: node),
                exists
                    ? "body file `\(path)` cannot be read; check its permissions"
                    : "body file `\(path)` does not exist (looked in \(url.deletingLastPathComponent().path))")
            return nil
        }
        let shownPath = (reader.file as NSString).deletingLastPathComponent
        let bodyFile = shownPath.isEmpty ? path : "\(shownPath)/\(path)"
        guard data.count <= CampaignLoader.largestFile else {
            reader.log.error(
                reader.location(of: node),
                "body file `\(path)`: " + CampaignLoader.tooLarge(data.count, what: "a body file"))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            reader.log.append(contentsOf: [CampaignLoader.notUTF8(data, file: bodyFile, what: "the body file")])
            return nil
        }
        return compile(text, at: SourceLocation(file: bodyFile, line: 1, column: 1))
    }

    private mutating func compile(_ text: String, at location: SourceLocation) -> Template? {
        do {
            return try Template(source: text, location: location)
        } catch {
            reader.log.append(contentsOf: [error])
            return nil
        }
    }
}
