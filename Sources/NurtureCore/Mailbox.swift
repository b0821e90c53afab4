import Foundation

/// An addr-spec (`local@domain`), checked to be safe for SMTP envelopes and headers.
///
/// Only ASCII addresses are accepted: sending to internationalised addresses needs SMTPUTF8,
/// which Nurture does not ask the server for.
public struct EmailAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    /// Checked byte by byte: an import checks a million of these.
    public init(_ text: String) throws(AddressError) {
        var bytes = Array(text.utf8)
        if bytes.contains(where: { $0 >= 0x80 }) {
            // Only Unicode spaces around an ASCII address can make this valid; trim them the slow way.
            bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let start = bytes.firstIndex { !isBlank($0) } ?? bytes.endIndex
        let end = (bytes.lastIndex { !isBlank($0) }).map { $0 + 1 } ?? start
        let address = bytes[start..<end]
        guard !address.isEmpty else { throw AddressError(input: text, reason: .empty) }
        guard !address.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
            throw AddressError(input: text, reason: .lineBreak)
        }
        guard address.allSatisfy({ $0 < 0x80 }) else { throw AddressError(input: text, reason: .nonASCII) }
        guard let at = address.lastIndex(of: UInt8(ascii: "@")) else {
            throw AddressError(input: text, reason: .missingAt)
        }
        let local = address[..<at]
        let domain = address[(at + 1)...]
        let dot = UInt8(ascii: ".")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy(Self.isAtomText(_:)), local.first != dot,
            local.last != dot, !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        else { throw AddressError(input: text, reason: .badLocalPart) }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        let hyphen = UInt8(ascii: "-")
        guard domain.count <= 253, labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && label.first != hyphen && label.last != hyphen
                    && label.allSatisfy { Self.isLetterOrDigit($0) || $0 == hyphen }
            })
        else { throw AddressError(input: text, reason: .badDomain) }
        self.localPart = String(decoding: local, as: UTF8.self)
        self.domain = String(decoding: domain.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    public var description: String { "\(localPart)@\(domain)" }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.description < rhs.description }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    // RFC 5322 atext plus the dot of a dot-atom.
    private static func isAtomText(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || atomSymbols.contains(byte)
    }

    private static let atomSymbols = Set("!#$%&'*+-/=?^_`{|}~.".utf8)
}

/// Why a string is not a usable address.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty, lineBreak, nonASCII, missingAt, badLocalPart, badDomain, unbalancedAngle
    }

    public let input: String
    public let reason: Reason

    public var description: String {
        let shown = input.containsHeaderBreakingCharacter ? input.debugDescription : "`\(input)`"
        switch reason {
        case .empty: return "the address is empty; write it as name@example.com"
        case .lineBreak: return "\(shown) contains a line break or NUL character; an address must be one line"
        case .nonASCII: return "\(shown) has non-ASCII characters; only ASCII addresses can be sent to"
        case .missingAt: return "\(shown) is not an email address: it has no `@`; write it as name@example.com"
        case .badLocalPart where input.count(where: { $0 == "@" }) > 1:
            return "\(shown) is more than one address; give just one, like name@example.com"
        case .badLocalPart: return "\(shown) has an invalid part before the `@`"
        case .badDomain: return "\(shown) has an invalid domain; write it as name@example.com"
        case .unbalancedAngle: return "\(shown) has an unclosed `<`; write it as \"Name <name@example.com>\""
        }
    }
}

/// A display name and an address: `Dana Reyes <dana@acme.example>`.
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    public var displayName: String?
    public var address: EmailAddress

    public init(displayName: String? = nil, address: EmailAddress) {
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// Parses `Name <addr>`, `"Name" <addr>`, `<addr>` or a bare `addr`.
    public init(_ text: String) throws(AddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.containsHeaderBreakingCharacter else { throw AddressError(input: text, reason: .lineBreak) }
        guard let open = trimmed.lastIndex(of: "<") else {
            self.init(address: try EmailAddress(trimmed))
            return
        }
        guard trimmed.hasSuffix(">") else { throw AddressError(input: text, reason: .unbalancedAngle) }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast())
                .replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        self.init(displayName: name, address: try EmailAddress(String(inner)))
    }

    public var description: String {
        guard let displayName else { return address.description }
        return "\(displayName) <\(address)>"
    }
}
