import Yams

/// Walks a composed YAML tree, turning shape problems into located diagnostics.
package struct YAMLReader {
    package let file: String
    package var log = DiagnosticLog()

    package init(file: String) {
        self.file = file
    }

    package func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// Composes `text`, reporting a syntax error at its position.
    package mutating func compose(_ text: String) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                log.error(SourceLocation(file: file, line: 1, column: 1), "the file is empty")
                return nil
            }
            return node
        } catch let error as YamlError {
            report(error)
            return nil
        } catch {
            log.error(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
            return nil
        }
    }

    private mutating func report(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            log.error(
                SourceLocation(file: file, line: mark.line, column: mark.column),
                "invalid YAML: \(problem); check indentation, quoting and `key: value` pairs")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            log.error(
                SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "duplicate key \(keys); each key may appear once")
        default:
            log.error(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")
        }
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
                let hint =
                    Suggestions.closest(to: key, in: allowed).map { "did you mean `\($0)`?" }
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
