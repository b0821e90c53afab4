import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine

/// `nurture.yml`'s `inbox:` section: the mailbox replies and bounces come back to, read over IMAP.
public struct InboxConfiguration: Sendable, Equatable {
    /// `imaps://host[:993]/FOLDER`, or `imap://host[:143]/FOLDER` (STARTTLS unless `tls: none`).
    public var url: String
    /// Plain text only to a server on this machine, as for SMTP.
    public var requireTLS: Bool
    public var user: String?
    /// Read when the daemon starts or reloads, like the SMTP password.
    public var passwordFile: String?
    public var caFile: String?
    /// Real seconds between two looks at the folder.
    public var pollInterval: TimeInterval = 60
    public var rules = InboxRules()

    public init(url: String, requireTLS: Bool) {
        self.url = url
        self.requireTLS = requireTLS
    }

    /// The password from its file, or nil without one.
    public func password() throws(ConfigurationError) -> String? {
        guard let passwordFile else { return nil }
        guard let data = FileManager.default.contents(atPath: passwordFile) else {
            throw ConfigurationError(diagnostics: [
                Diagnostic(
                    .error, at: SourceLocation(file: passwordFile, line: 1, column: 1),
                    "cannot read the inbox password from `\(passwordFile)`; check that it exists and is readable "
                        + "by this user (under systemd: LoadCredential=imap-password)")
            ])
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}
