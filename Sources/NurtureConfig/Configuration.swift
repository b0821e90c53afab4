import Foundation
import NurtureCampaigns
import NurtureEngine
import NurtureSMTP

/// `nurture.yml`: where campaigns and state live, how to reach the SMTP server, how links are built.
///
/// Every key has a default that runs the local demo; relative paths are resolved from the file's folder.
public struct Configuration: Sendable {
    /// The campaign folder.
    public var campaigns: String
    /// The folder for the SQLite database and other state.
    public var state: String
    /// `smtp` without the password, which `smtpSettings()` reads from `smtp.password_file` when it is needed.
    public var smtp: SMTPSettings
    public var smtpPasswordFile: String?
    /// Pacing, retries and the minimum gap between emails to one prospect.
    public var engine: EngineSettings
    /// Base of unsubscribe and click links; the daemon's public HTTP address.
    public var publicURL: String
    /// The key that signs links; created on first use.
    public var secretFile: String
    /// The daemon's HTTP server and its API token.
    public var api: APISettings
    /// The reply mailbox; nil: replies and bounces are not read (record them with `nurture event`).
    public var inbox: InboxConfiguration?
    /// The file this was read from, or nil for the built-in defaults.
    public var source: String?

    public static let defaultSMTPURL = "smtp://127.0.0.1:2525"

    /// The built-in defaults, with relative paths resolved from `directory`.
    public init(directory: String = FileManager.default.currentDirectoryPath) {
        campaigns = Self.resolve("campaigns", from: directory)
        state = Self.resolve("var", from: directory)
        smtp = SMTPSettings(url: Self.defaultSMTPURL, tls: .none, ehloName: Self.hostName())
        engine = EngineSettings()
        publicURL = "http://127.0.0.1:8080"
        secretFile = Self.resolve("var/secret", from: directory)
        api = APISettings(tokenFile: Self.resolve("var/api-token", from: directory))
        inbox = nil
        source = nil
        smtpPasswordFile = nil
    }

    /// `smtp` with the password read from its file: for the commands that talk to the server.
    public func smtpSettings() throws(ConfigurationError) -> SMTPSettings {
        guard let smtpPasswordFile else { return smtp }
        guard let data = FileManager.default.contents(atPath: smtpPasswordFile),
            let text = String(data: data, encoding: .utf8)
        else {
            let location = SourceLocation(file: source ?? "nurture.yml", line: 1, column: 1)
            throw ConfigurationError(diagnostics: [
                Diagnostic(
                    .error, at: location,
                    "cannot read the SMTP password from `\(smtpPasswordFile)`; check that it exists and is readable "
                        + "by this user (under systemd: LoadCredential=smtp-password)")
            ])
        }
        var settings = smtp
        settings.password = text.trimmingCharacters(in: .newlines)
        return settings
    }

    /// The SQLite database in the state folder.
    public var databasePath: String { Self.resolve("nurture.sqlite", from: state) }

    /// Where a running daemon writes the address its HTTP server got, for the CLI to find it.
    public var apiAddressFile: String { Self.resolve("api.address", from: state) }

    /// Held by the running daemon for its whole life: one daemon per state folder.
    public var lockFile: String { Self.resolve("nurture.lock", from: state) }

    static func resolve(_ path: String, from directory: String) -> String {
        if path.hasPrefix("/") { return path }
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(trimmed).standardizedFileURL
            .path
    }

    static func hostName() -> String {
        let name = ProcessInfo.processInfo.hostName
        return SMTPSettings.isValidEHLOName(name) ? name : "localhost"
    }
}
