extension SMTPSettings {
    /// True when `url` names a server on this machine, the only kind plain text (`tls: none`) may go to.
    public static func isLoopback(url: String) -> Bool {
        (try? SMTPEndpoint(parsing: url))?.isLoopback ?? false
    }

    /// The same checks `CurlSMTPTransport` makes, for reporting a bad configuration before anything is sent.
    public func validate() throws(SMTPConfigurationError) {
        _ = try checked()
    }

    /// A host name the server will accept after EHLO: letters, digits, dots and hyphens.
    public static func isValidEHLOName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 253 && !name.hasPrefix(".") && !name.hasPrefix("-")
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            }
    }
}
