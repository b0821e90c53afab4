#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hosts on this machine: the only places Nurture talks to without TLS (a capture SMTP server, a local demo).
public enum Loopback {
    /// True for 127.0.0.0/8, ::1 (and IPv4-mapped 127.x) and `localhost`, with or without IPv6 brackets.
    /// Names other than `localhost` are not resolved, so they never count, whatever they point at.
    public static func contains(host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { $0[0] == 127 }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in
                let isLoopback = bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
                let isMappedLoopback =
                    bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
                    && bytes[12] == 127
                return isLoopback || isMappedLoopback
            }
        }
        return false
    }
}
