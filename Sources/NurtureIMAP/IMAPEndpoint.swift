import NurtureCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scheme, host, port and folder of an IMAP URL, checked before libcurl sees it.
///
/// Parsed by hand, like `SMTPEndpoint`, so the rules are exactly ours: no credentials, no `;UID=` or `?SEARCH`
/// parts (libcurl would act on them), bracketed IPv6, a percent-encoded folder.
struct IMAPEndpoint: Equatable {
    enum Scheme: String {
        case imap, imaps
    }

    let scheme: Scheme
    /// Without the brackets of an IPv6 literal.
    let host: String
    let port: Int?
    /// Decoded: `Sent Items`, not `Sent%20Items`.
    let folder: String

    init(parsing text: String) throws(IMAPConfigurationError) {
        guard let separator = text.range(of: "://") else {
            throw Self.invalid("`\(text)` is not an IMAP URL; write it as imaps://host/INBOX or imap://host/INBOX")
        }
        let schemeText = text[..<separator.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw Self.invalid(
                "`\(schemeText)://` is not supported; use imaps:// (TLS from the start) or imap:// (STARTTLS)")
        }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0 == ";" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // Checked before anything echoes the URL: the part before `@` may be a password.
        guard !authority.contains("@") else {
            throw Self.invalid(
                "the IMAP URL must not carry a user name or password; set inbox.user and the password file")
        }
        let (host, portText) = try Self.splitHostAndPort(authority, url: text)
        self.scheme = scheme
        self.host = host
        self.port = try portText.map { (portText) throws(IMAPConfigurationError) in
            guard portText.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText),
                (1...65535).contains(port)
            else { throw Self.invalid("`\(text)` has an invalid port `\(portText)`; use a number from 1 to 65535") }
            return port
        }
        folder = try Self.folder(in: rest[authorityEnd...], url: text)
    }

    /// The URL libcurl gets: no folder, so libcurl stops after the login and selects nothing itself.
    var curlURL: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost)\(port.map { ":\($0)" } ?? "")/"
    }

    /// Whether plain text may go to this host (see `Loopback`).
    var isLoopback: Bool { Loopback.contains(host: host) }

    private static func folder(in tail: Substring, url: String) throws(IMAPConfigurationError) -> String {
        guard !tail.contains(where: { $0 == "?" || $0 == "#" || $0 == ";" }) else {
            throw invalid("`\(url)`: name only a folder after the host, e.g. imaps://host/INBOX (no ;UID=, ? or #)")
        }
        var encoded = tail.drop { $0 == "/" }
        if encoded.hasSuffix("/") { encoded = encoded.dropLast() }
        if encoded.isEmpty { return "INBOX" }
        guard let decoded = percentDecoded(encoded) else {
            throw invalid("`\(url)` has a broken %-escape in its folder; write a space as %20")
        }
        // The server names folders in modified UTF-7 (RFC 3501 5.1.3): other bytes would be refused or misread.
        guard decoded.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw invalid(
                "the folder `\(decoded)` must be written as the server lists it, in IMAP's modified UTF-7 (e.g. "
                    + "`R&AOk-ponses` for `Réponses`), with no control characters")
        }
        return decoded
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private static func splitHostAndPort(
        _ authority: Substring, url: String
    ) throws(IMAPConfigurationError) -> (host: String, port: Substring?) {
        do {
            return try URLAuthority.split(authority, url: url, example: "imaps://mail.example.com/INBOX")
        } catch {
            throw invalid(error.message)
        }
    }

    private static func invalid(_ message: String) -> IMAPConfigurationError {
        IMAPConfigurationError(.invalidURL, message)
    }
}
