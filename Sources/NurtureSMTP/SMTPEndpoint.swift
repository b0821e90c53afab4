import NurtureCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scheme, host and port of an SMTP URL, checked before libcurl sees it.
///
/// Parsed by hand rather than by URLComponents so the rules are exactly ours: no credentials, no path
/// (the path is where libcurl puts the EHLO name), bracketed IPv6.
struct SMTPEndpoint: Equatable {
    enum Scheme: String {
        case smtp, smtps
    }

    let scheme: Scheme
    /// Without the brackets of an IPv6 literal.
    let host: String
    let port: Int?

    init(parsing text: String) throws(SMTPConfigurationError) {
        guard let separator = text.range(of: "://") else {
            throw Self.invalid("`\(text)` is not an SMTP URL; write it as smtp://host:port or smtps://host:port")
        }
        let schemeText = text[..<separator.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw Self.invalid(
                "`\(schemeText)://` is not supported; use smtp:// (STARTTLS) or smtps:// (TLS from the start)")
        }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // Checked before anything echoes the URL: the part before `@` may be a password.
        guard !authority.contains("@") else {
            throw Self.invalid(
                "the SMTP URL must not carry a user name or password; set smtp.user and the password file")
        }
        let tail = rest[authorityEnd...]
        guard tail.isEmpty || tail == "/" else {
            throw Self.invalid(
                "`\(text)` has something after host:port (`\(tail)`); the EHLO name is a setting of its own")
        }
        let (host, portText) = try Self.splitHostAndPort(authority, url: text)
        self.scheme = scheme
        self.host = host
        self.port = try portText.map { (portText) throws(SMTPConfigurationError) in
            guard portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText),
                (1...65535).contains(port)
            else { throw Self.invalid("`\(text)` has an invalid port `\(portText)`; use a number from 1 to 65535") }
            return port
        }
    }

    /// The URL libcurl gets: libcurl sends the path as the EHLO name.
    func curlURL(ehloName: String) -> String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost)\(port.map { ":\($0)" } ?? "")/\(ehloName)"
    }

    /// Whether plain text may go to this host (see `Loopback`).
    var isLoopback: Bool { Loopback.contains(host: host) }

    private static func splitHostAndPort(
        _ authority: Substring, url: String
    ) throws(SMTPConfigurationError) -> (host: String, port: Substring?) {
        do {
            return try URLAuthority.split(authority, url: url, example: "smtp://mail.example.com:587")
        } catch {
            throw invalid(error.message)
        }
    }

    private static func invalid(_ message: String) -> SMTPConfigurationError {
        SMTPConfigurationError(.invalidURL, message)
    }
}
