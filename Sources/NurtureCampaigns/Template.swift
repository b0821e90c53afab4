import Foundation
import Mustache

/// A Mustache template from a campaign: a subject line or a Markdown body, compiled once when the file is loaded.
public struct Template: Sendable {
    public let source: String
    /// Where the template text starts: the YAML value of a subject, or line 1 of a body file.
    public let location: SourceLocation
    /// Renders values escaped for Markdown and HTML, for bodies on their way through Ink: a prospect's
    /// `[link](...)` or `<img>` stays text.
    public let compiledAsMarkdown: MustacheTemplate
    /// Renders values as they are, for subjects and plain text.
    public let compiledAsText: MustacheTemplate
    /// Names used as `{{name}}`, `{{{name}}}` or `{{& name}}`.
    public let variables: Set<String>
    /// Names used to open sections (`{{#name}}`, `{{^name}}`): a missing value just skips the section.
    public let sections: Set<String>
    /// Variables used outside a section of the same name: each must have a value when rendered, or the
    /// message would read "Hi ,".
    public let unguardedVariables: Set<String>
    /// Every tag is `{{name}}`, `{{#name}}`, `{{^name}}`, `{{/name}}` or a comment, over a bare name: no unescaped
    /// values, transforms, dotted names, `{{.}}`, partials, pragmas or new delimiters. Each value then reaches the
    /// output as the content type escapes it and nowhere else, so a renderer may stand a placeholder in for it.
    public let usesOnlyPlainTags: Bool

    public init(source: String, location: SourceLocation) throws(Diagnostic) {
        _ = MarkdownEscaping.registered
        do {
            _ = try MustacheTemplate(string: source)
        } catch let error as MustacheTemplate.ParserError {
            let context = error.context
            // A body file's errors point into that file; a subject's into the YAML line that holds it.
            let position =
                context.lineNumber == 1
                ? SourceLocation(
                    file: location.file, line: location.line, column: location.column + context.columnNumber - 1)
                : SourceLocation(
                    file: location.file, line: location.line + context.lineNumber - 1, column: context.columnNumber)
            throw Diagnostic(.error, at: position, "template does not compile: \(Self.explain(error.error))")
        } catch {
            throw Diagnostic(.error, at: location, "template does not compile: \(error)")
        }
        // Same text, so these compile whenever the first did; the pragma only changes how values are escaped.
        guard let asText = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + source),
            let asMarkdown = try? MustacheTemplate(string: "{{% CONTENT_TYPE: \(MarkdownEscaping.name) }}" + source)
        else {
            throw Diagnostic(.error, at: location, "template does not compile")
        }
        compiledAsText = asText
        compiledAsMarkdown = asMarkdown
        self.source = source
        self.location = location
        let names = Self.tagNames(in: source)
        (variables, sections, unguardedVariables) = (names.variables, names.sections, names.unguarded)
        usesOnlyPlainTags = names.plainOnly
    }

    private static func explain(_ error: any Error) -> String {
        // The parser reports running off the end of the text as a bare "overflow": a tag that never closes.
        guard let error = error as? MustacheTemplate.Error else {
            return "\(error)" == "overflow" ? "a tag is not closed; every `{{` needs its `}}`" : "\(error)"
        }
        switch error {
        case .sectionCloseNameIncorrect:
            return "a `{{/name}}` closes a section it did not open; check the section names"
        case .unfinishedName: return "a tag is not closed; every `{{` needs its `}}`"
        case .expectedSectionEnd: return "a section is never closed; add `{{/name}}` after `{{#name}}`"
        case .invalidSetDelimiter: return "invalid `{{=<% %>=}}` delimiter change"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "invalid `{{% ... }}` pragma"
        default: return "\(error)"
        }
    }

    /// Reads tag names straight from the source: swift-mustache keeps its parsed tokens to itself.
    static func tagNames(in source: String) -> (
        variables: Set<String>, sections: Set<String>, unguarded: Set<String>, plainOnly: Bool
    ) {
        var variables = Set<String>()
        var sections = Set<String>()
        var unguarded = Set<String>()
        var plainOnly = true
        var open: [String] = []
        var rest = Substring(source)
        while let start = rest.range(of: "{{") {
            rest = rest[start.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            var tag = rest[..<close.lowerBound]
            rest = rest[close.upperBound...]
            let sigil = tag.first
            if sigil == "{" {
                tag = tag.dropFirst()
                if rest.first == "}" { rest = rest.dropFirst() }
            } else if let sigil, "#^&!/>=%$<".contains(sigil) {
                tag = tag.dropFirst()
            }
            let name = tag.trimmingCharacters(in: .whitespaces)
            if sigil != "!" && (sigil.map("{&>=%$<".contains) == true || !Self.isBare(name)) { plainOnly = false }
            guard !name.isEmpty, name != "." else { continue }
            switch sigil {
            case "#", "^":
                sections.insert(name)
                open.append(name)
            case "/":
                if let index = open.lastIndex(of: name) { open.removeSubrange(index...) }
            case "!", ">", "=", "%", "$", "<":
                break
            default:
                variables.insert(name)
                if !open.contains(name) { unguarded.insert(name) }
            }
        }
        return (variables, sections, unguarded, plainOnly)
    }

    /// Letters, digits, `_` and `-`, in ASCII: a name Mustache looks up as it is, with no transform or path.
    private static func isBare(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<Substring.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) {
                return index..<self.index(index, offsetBy: needle.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
