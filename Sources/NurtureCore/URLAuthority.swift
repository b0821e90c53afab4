#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The host and port of a URL's authority: `host`, `host:port`, `[v6]` or `[v6]:port`. Shared by the SMTP and
/// IMAP settings, which word their own errors around `problem`.
public enum URLAuthority {
    public struct Problem: Error, Sendable {
        public let message: String
    }

    /// - Parameter example: a well-written URL of the same kind, for the error message.
    public static func split(_ authority: Substring, url: String, example: String) throws(Problem)
        -> (host: String, port: Substring?)
    {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw Problem(message: "`\(url)` has an unclosed `[` around its IPv6 address")
            }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, host, &v6) == 1 else {
                throw Problem(message: "`\(url)`: `\(host)` is not an IPv6 address")
            }
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw Problem(message: "`\(url)` has junk after its IPv6 address") }
            return (host, after.dropFirst())
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw Problem(message: "`\(url)`: write an IPv6 address in brackets, e.g. \(example)")
        }
        let host = parts[0]
        guard !host.isEmpty,
            host.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else { throw Problem(message: "`\(url)` has no valid host name; write it like \(example)") }
        return (String(host), parts.count == 2 ? parts[1] : nil)
    }
}
