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
    public var smtp: SMTPSettings
    /// Pacing, retries and the minimum gap between emails to one prospect.
    public var engine: EngineSettings
    /// Base of unsubscribe and click links; the daemon's public HTTP address.
    public var publicURL: String
    /// The key that signs links; created on first use.
    public var secretFile: String
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
        source = nil
    }

    /// The SQLite database in the state folder.
    public var databasePath: String { Self.resolve("nurture.sqlite", from: state) }

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
