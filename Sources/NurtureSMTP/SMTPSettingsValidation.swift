import Foundation
import NurtureCore

/// Settings that passed every check, with the values converted to what libcurl takes.
struct CheckedSMTPSettings {
    let settings: SMTPSettings
    let endpoint: SMTPEndpoint
    let curlURL: String
    let connectTimeoutMilliseconds: Int
    let responseTimeoutSeconds: Int
    let transferTimeoutMilliseconds: Int
}

extension SMTPSettings {
    /// Refuses settings that cannot work or would be unsafe, with a message that says what to change.
    func checked() throws(SMTPConfigurationError) -> CheckedSMTPSettings {
        let endpoint = try SMTPEndpoint(parsing: url)
        if tls == .none {
            guard endpoint.scheme == .smtp else {
                throw SMTPConfigurationError(
                    .invalidURL,
                    "smtps:// always uses TLS, but tls is `none`; use tls: required, or smtp:// for plain text")
            }
            guard endpoint.isLoopback else {
                throw SMTPConfigurationError(
                    .plainTextToRemoteHost,
                    "tls: none would send mail and the password in plain text to `\(endpoint.host)`; it is allowed only "
                        + "for a server on this machine (127.0.0.1, ::1, localhost): use tls: required")
            }
        }
        try Self.checkEHLOName(ehloName)
        try checkCredentials()
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw SMTPConfigurationError(.unreadableCAFile, "the CA file `\(caFile)` does not exist or cannot be read")
        }
        return CheckedSMTPSettings(
            settings: self,
            endpoint: endpoint,
            curlURL: endpoint.curlURL(ehloName: ehloName),
            connectTimeoutMilliseconds: try Self.milliseconds(connectTimeout, name: "connectTimeout"),
            responseTimeoutSeconds: try Self.wholeSeconds(responseTimeout, name: "responseTimeout"),
            transferTimeoutMilliseconds: try Self.milliseconds(transferTimeout, name: "transferTimeout")
        )
    }

    private func checkCredentials() throws(SMTPConfigurationError) {
        switch (user, password) {
        case (nil, nil):
            return
        case (nil, .some):
            throw SMTPConfigurationError(.invalidCredentials, "a password is set but no user; set smtp.user")
        case (.some(let user), nil):
            throw SMTPConfigurationError(
                .invalidCredentials, "smtp.user is `\(user)` but no password was given; set the password file")
        case (.some(let user), .some(let password)):
            guard !user.isEmpty, !user.containsHeaderBreakingCharacter else {
                throw SMTPConfigurationError(.invalidCredentials, "smtp.user is empty or holds a line break or NUL")
            }
            // libcurl takes C strings: a NUL would silently cut the password short.
            guard !password.utf8.contains(0) else {
                throw SMTPConfigurationError(.invalidCredentials, "the SMTP password contains a NUL character")
            }
        }
    }

    private static func checkEHLOName(_ name: String) throws(SMTPConfigurationError) {
        guard isValidEHLOName(name) else {
            throw SMTPConfigurationError(
                .invalidEHLOName,
                "the EHLO name \(name.debugDescription) is not a host name; use this machine's name, e.g. mail.acme.example"
            )
        }
    }

    // A year: far beyond any sane timeout, far below what a C long holds in milliseconds.
    private static let longestTimeout = Duration.seconds(365 * 24 * 3600)

    private static func milliseconds(_ duration: Duration, name: String) throws(SMTPConfigurationError) -> Int {
        let clamped = try positive(duration, name: name)
        let (seconds, attoseconds) = clamped.components
        let partial = attoseconds > 0 ? (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000 : 0
        return Int(seconds) * 1000 + Int(partial)
    }

    private static func wholeSeconds(_ duration: Duration, name: String) throws(SMTPConfigurationError) -> Int {
        let (seconds, attoseconds) = try positive(duration, name: name).components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    private static func positive(_ duration: Duration, name: String) throws(SMTPConfigurationError) -> Duration {
        guard duration > .zero else {
            throw SMTPConfigurationError(.invalidTimeout, "\(name) must be longer than zero, not \(duration)")
        }
        return min(duration, longestTimeout)
    }
}
