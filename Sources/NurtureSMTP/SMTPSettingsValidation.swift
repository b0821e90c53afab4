import Foundation
import NurtureCore
import NurtureCurl

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
            connectTimeoutMilliseconds: try Self.curl(
                connectTimeout, name: "connectTimeout", as: CurlTimeout.milliseconds),
            responseTimeoutSeconds: try Self.curl(
                responseTimeout, name: "responseTimeout", as: CurlTimeout.wholeSeconds),
            transferTimeoutMilliseconds: try Self.curl(
                transferTimeout, name: "transferTimeout", as: CurlTimeout.milliseconds)
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

    /// A timeout in libcurl's units, or the error naming it.
    private static func curl(
        _ duration: Duration, name: String, as convert: (Duration) -> Int?
    ) throws(SMTPConfigurationError) -> Int {
        guard let value = convert(duration) else {
            throw SMTPConfigurationError(.invalidTimeout, "\(name) must be longer than zero, not \(duration)")
        }
        return value
    }
}
