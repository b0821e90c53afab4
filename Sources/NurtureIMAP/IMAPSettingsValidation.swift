import Foundation
import NurtureCore
import NurtureCurl

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
            connectTimeoutMilliseconds: try Self.curl(
                connectTimeout, name: "connectTimeout", as: CurlTimeout.milliseconds),
            responseTimeoutSeconds: try Self.curl(
                responseTimeout, name: "responseTimeout", as: CurlTimeout.wholeSeconds)
        )
    }

    /// A timeout in libcurl's units, or the error naming it.
    private static func curl(
        _ duration: Duration, name: String, as convert: (Duration) -> Int?
    ) throws(IMAPConfigurationError) -> Int {
        guard let value = convert(duration) else {
            throw IMAPConfigurationError(.invalidTimeout, "\(name) must be longer than zero, not \(duration)")
        }
        return value
    }
}
