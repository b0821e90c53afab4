import NurtureCore

/// Someone a campaign writes to: an address and the attributes templates may use.
public struct Prospect: Sendable, Hashable {
    public let email: EmailAddress
    /// `first_name`, `company`, `phone`, ...: whatever the form, CSV or CLI supplied.
    public var attributes: [String: String]

    public init(email: EmailAddress, attributes: [String: String] = [:]) {
        self.email = email
        self.attributes = attributes
    }

    /// `First Last` when known, for the `To:` header.
    public var displayName: String? {
        if let full = attributes["full_name"], !full.isEmpty { return full }
        let parts = [attributes["first_name"], attributes["last_name"]].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The attributes plus `email`: what templates see of the prospect.
    public var templateValues: [String: String] {
        var values = attributes
        values["email"] = email.description
        return values
    }
}
