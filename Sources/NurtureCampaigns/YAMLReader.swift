import Yams

/// Walks a composed YAML tree, turning shape problems into located diagnostics.
package struct YAMLReader {
    package let file: String
    package var log = DiagnosticLog()
    /// The keys unknown keys were taken for ("did you mean `wait`?"), by where their mapping starts: a key that is
    /// only misspelt is reported once, as misspelt, and not again as missing.
    private var misspeltKeys: [SourceLocation: Set<String>] = [:]

    package init(file: String) {
        self.file = file
    }

    package func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Composes `text`, reporting a syntax error at its position.
    package mutating func compose(_ text: String) -> Node? {
        do {
            // A lone `---` composes to an empty value: nothing was written either way.
            guard let node = try Yams.compose(yaml: text), node.scalar?.string.isEmpty != true else {
                log.error(SourceLocation(file: file, line: 1, column: 1), "the file is empty")
                return nil
            }
            return node
        } catch let error as YamlError {
            report(error, in: text)
            return nil
        } catch {
            log.error(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
            return nil
        }
    }

    private mutating func report(_ error: YamlError, in text: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml reads an unclosed quote on into the lines below and only stumbles far from it.
            if let quote = Self.unclosedQuote(in: text, throughLine: mark.line) {
                log.error(
                    SourceLocation(file: file, line: quote.line, column: quote.column),
                    "invalid YAML: this \(quote.mark) opens a value that does not end on its line; "
                        + "add the closing \(quote.mark)")
                return
            }
            if let context, problem.hasPrefix("did not find expected ','"), context.mark.line < mark.line {
                let (open, close) = problem.hasSuffix("'}'") ? ("{", "}") : ("[", "]")
                log.error(
                    SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                    "invalid YAML: this `\(open)` is never closed; add `\(close)` at the end of the value, "
                        + "or a `,` between its items")
                return
            }
            // "but found another document" only reads as a sentence after what was expected.
            let explained = context.map { problem.hasPrefix("but ") ? "\($0.text) \(problem)" : problem } ?? problem
            log.error(
                SourceLocation(file: file, line: mark.line, column: mark.column),
                "invalid YAML: \(explained); check indentation, quoting and `key: value` pairs")
        case .reader(let problem, let offset, let value, _):
            let before = text.prefix(offset ?? 0)
            let lineStart = before.lastIndex(where: \.isNewline).map { before.index(after: $0) } ?? before.startIndex
            let hex = String(value, radix: 16, uppercase: true)
            log.error(
                SourceLocation(
                    file: file, line: before.count(where: \.isNewline) + 1,
                    column: before.distance(from: lineStart, to: before.endIndex) + 1),
                "invalid YAML: \(problem) (U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) here); "
                    + "delete the invisible character")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            log.error(
                SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "duplicate key \(keys); each key may appear once")
        default:
            log.error(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
        }
    }

    /// The first quote, up to `lastLine`, that opens a value and does not close on its line. A quoted value may
    /// span lines in YAML, but a campaign's never need to; this is only asked once the file failed to parse.
    static func unclosedQuote(in text: String, throughLine lastLine: Int) -> (line: Int, column: Int, mark: String)? {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.prefix(lastLine).enumerated() {
            let characters = Array(line)
            var position = 0
            // A quote opens a value at the start of a line or after `:`, `-`, `[`, `{` or `,` and spaces.
            var atValueStart = true
            while position < characters.count {
                let character = characters[position]
                if character == "#", position == 0 || characters[position - 1] == " " { break }
                if character == "\"" || character == "'", atValueStart {
                    guard let end = Self.closingQuote(of: characters, from: position) else {
                        return (index + 1, position + 1, character == "\"" ? "`\"`" : "`'`")
                    }
                    position = end + 1
                    atValueStart = false
                    continue
                }
                if character != " " && character != "\t" { atValueStart = ":-[{,".contains(character) }
                position += 1
            }
        }
        return nil
    }

    /// Where the quote opened at `start` closes on the same line: `\"` escapes in double quotes, `''` in single.
    private static func closingQuote(of characters: [Character], from start: Int) -> Int? {
        let quote = characters[start]
        var position = start + 1
        while position < characters.count {
            if quote == "\"", characters[position] == "\\" {
                position += 2
                continue
            }
            if characters[position] == quote {
                if quote == "'", position + 1 < characters.count, characters[position + 1] == "'" {
                    position += 2
                    continue
                }
                return position
            }
            position += 1
        }
        return nil
    }

    /// The pairs of a mapping whose keys are all in `allowed`; an unknown key is reported with a suggestion.
    package mutating func mapping(_ node: Node, of what: String, allowed: [String]) -> [String: Node]? {
        guard let mapping = node.mapping else {
            log.error(location(of: node), "\(what) must be a mapping of `key: value` lines")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                log.error(location(of: keyNode), "keys in \(what) must be plain words")
                continue
            }
            guard allowed.contains(key) else {
                let suggestion = Suggestions.closest(to: key, in: allowed)
                if let suggestion { misspeltKeys[location(of: node), default: []].insert(suggestion) }
                let hint =
                    suggestion.map { "did you mean `\($0)`?" }
                    ?? "known keys are " + allowed.map { "`\($0)`" }.joined(separator: ", ")
                log.error(location(of: keyNode), "unknown key `\(key)` in \(what); \(hint)")
                continue
            }
            guard result[key] == nil else {
                log.error(location(of: keyNode), "duplicate key `\(key)` in \(what)")
                continue
            }
            result[key] = value
        }
        return result
    }

    /// Whether an unknown key in the mapping `node` was reported as a misspelling of `key`.
    package func misspelt(_ key: String, in node: Node) -> Bool {
        misspeltKeys[location(of: node)]?.contains(key) == true
    }

    /// A scalar's text; anything else is reported.
    package mutating func string(_ node: Node, key: String) -> String? {
        guard let scalar = node.scalar else {
            log.error(location(of: node), "`\(key)` must be a single value, not a list or mapping")
            return nil
        }
        return scalar.string
    }

    package mutating func nonEmptyString(_ node: Node, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        guard !text.isEmpty, node.null == nil else {
            log.error(location(of: node), "`\(key)` is empty; give it a value")
            return nil
        }
        return text
    }

    package mutating func sequence(_ node: Node, key: String) -> [Node]? {
        guard let sequence = node.sequence else {
            log.error(location(of: node), "`\(key)` must be a list, like `[a, b]` or lines starting with `- `")
            return nil
        }
        return Array(sequence)
    }

    package mutating func bool(_ node: Node, key: String) -> Bool? {
        guard let scalar = node.scalar, let value = Bool(scalar.string.lowercased()) else {
            log.error(location(of: node), "`\(key)` must be `true` or `false`")
            return nil
        }
        return value
    }

    package mutating func int(_ node: Node, key: String) -> Int? {
        guard let scalar = node.scalar, let value = Int(scalar.string) else {
            log.error(location(of: node), "`\(key)` must be a whole number")
            return nil
        }
        return value
    }
}
