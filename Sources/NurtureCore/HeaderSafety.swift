/// A value that would break out of its header line or SMTP command (CR, LF or NUL).
public struct UnsafeHeaderValue: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the value was for, e.g. `subject`, `To`, `first_name`.
    public let field: String

    public init(field: String) {
        self.field = field
    }

    public var description: String {
        "\(field) contains a line break or NUL character, which could inject mail headers; remove it"
    }
}

extension String {
    /// True when the string holds CR, LF or NUL anywhere.
    public var containsHeaderBreakingCharacter: Bool {
        utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }
}

/// Refuses a value bound for a header or an SMTP envelope if it carries CR, LF or NUL. `field` is only made for
/// the error: every message checks its headers, and making their labels was a fifth of the checks' cost.
public func requireHeaderSafe(_ value: String, field: @autoclosure () -> String) throws(UnsafeHeaderValue) {
    if value.containsHeaderBreakingCharacter { throw UnsafeHeaderValue(field: field()) }
}
