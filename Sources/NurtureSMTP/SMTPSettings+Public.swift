extension SMTPSettings {
    /// True when `url` names a server on this machine, the only kind plain text (`tls: none`) may go to.
    public static func isLoopback(url: String) -> Bool {
        (try? SMTPEndpoint(parsing: url))?.isLoopback ?? false
    }

    /// The same checks `CurlSMTPTransport` makes, for reporting a bad configuration before anything is sent.
    public func validate() throws(SMTPConfigurationError) {
        _ = try checked()
    }
}
