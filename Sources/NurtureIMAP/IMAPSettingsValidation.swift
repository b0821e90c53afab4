import Foundation
import NurtureCore

/// Settings that passed every check, with the values converted to what libcurl takes.
struct CheckedIMAPSettings {
    let settings: IMAPSettings
    let endpoint: IMAPEndpoint
    let connectTimeoutMilliseconds: Int
    let responseTimeoutSeconds: Int
}

extension IMAPSettings {
    /// The same checks `CurlIMAPMailbox` makes, for reporting a bad configuration before anything is read.
    public func validate() throws(IMAPConfigurationError) {
        _ = try checked()
    }

    /// Refuses settings that cannot work or would be unsafe, with a message that says what to change.
    func checked() throws(IMAPConfigurationError) -> CheckedIMAPSettings {
        let endpoint = try IMAPEndpoint(parsing: url)
        if tls == .none {
            guard endpoint.scheme == .imap else {
                throw IMAPConfigurationError(
                    .invalidURL,
                    "imaps:// always uses TLS, but tls is `none`; use tls: required, or imap:// for plain text")
            }
            guard endpoint.isLoopback else {
                throw IMAPConfigurationError(
                    .plainTextToRemoteHost,
                    "tls: none would send the mailbox password and every reply in plain text to `\(endpoint.host)`; "
                        + "it is allowed only for a server on this machine (127.0.0.1, ::1, localhost): use tls: required"
                )
            }
        }
        guard !user.isEmpty, !user.containsHeaderBreakingCharacter else {
            throw IMAPConfigurationError(.invalidCredentials, "inbox.user is empty or holds a line break or NUL")
        }
        // libcurl takes C strings: a NUL would silently cut the password short.
        guard !password.isEmpty, !password.utf8.contains(0) else {
            throw IMAPConfigurationError(
                .invalidCredentials, "the IMAP password is empty or contains a NUL character; check its file")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw IMAPConfigurationError(.unreadableCAFile, "the CA file `\(caFile)` does not exist or cannot be read")
        }
        return CheckedIMAPSettings(
            settings: self,
            endpoint: endpoint,
            connectTimeoutMilliseconds: try Self.milliseconds(connectTimeout, name: "connectTimeout"),
            responseTimeoutSeconds: try Self.wholeSeconds(responseTimeout, name: "responseTimeout")
        )
    }

    // A year: far beyond any sane timeout, far below what a C long holds in milliseconds.
    private static let longestTimeout = Duration.seconds(365 * 24 * 3600)

    private static func milliseconds(_ duration: Duration, name: String) throws(IMAPConfigurationError) -> Int {
        let (seconds, attoseconds) = try positive(duration, name: name).components
        let partial = attoseconds > 0 ? (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000 : 0
        return Int(seconds) * 1000 + Int(partial)
    }

    private static func wholeSeconds(_ duration: Duration, name: String) throws(IMAPConfigurationError) -> Int {
        let (seconds, attoseconds) = try positive(duration, name: name).components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    private static func positive(_ duration: Duration, name: String) throws(IMAPConfigurationError) -> Duration {
        guard duration > .zero else {
            throw IMAPConfigurationError(.invalidTimeout, "\(name) must be longer than zero, not \(duration)")
        }
        return min(duration, longestTimeout)
    }
}
