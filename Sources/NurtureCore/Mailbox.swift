import Foundation

/// An addr-spec (`local@domain`), checked to be safe for SMTP envelopes and headers.
///
/// Only ASCII addresses are accepted: sending to internationalised addresses needs SMTPUTF8,
/// which Nurture does not ask the server for.
public struct EmailAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init(_ text: String) throws(AddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw AddressError(input: text, reason: .empty) }
        guard !trimmed.containsHeaderBreakingCharacter else { throw AddressError(input: text, reason: .lineBreak) }
        guard trimmed.unicodeScalars.allSatisfy({ $0.isASCII }) else {
            throw AddressError(input: text, reason: .nonASCII)
        }
        guard let at = trimmed.lastIndex(of: "@") else { throw AddressError(input: text, reason: .missingAt) }
        let local = String(trimmed[..<at])
        let domain = String(trimmed[trimmed.index(after: at)...])
        guard !local.isEmpty, local.count <= 64, local.utf8.allSatisfy(Self.isAtomText(_:)),
            !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { throw AddressError(input: text, reason: .badLocalPart) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard domain.count <= 253, labels.count >= 2,
            labels.allSatisfy({ label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy { Self.isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
            })
        else { throw AddressError(input: text, reason: .badDomain) }
        self.localPart = local
        self.domain = domain.lowercased()
    }

    public var description: String { "\(localPart)@\(domain)" }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.description < rhs.description }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    // RFC 5322 atext plus the dot of a dot-atom.
    private static func isAtomText(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || "!#$%&'*+-/=?^_`{|}~.".utf8.contains(byte)
    }
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
