import Foundation
import NurtureCampaigns
import NurtureCore
import NurtureEngine
import NurtureSMTP
import Yams

/// A configuration that cannot be used, with every problem found in it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Finds, reads and checks `nurture.yml`.
public enum ConfigurationLoader {
    /// Where a configuration is looked for when `--config` is not given, in order.
    public static let searchPaths = ["./nurture.yml", "/etc/nurture/nurture.yml"]

    static let keys = ["campaigns", "state", "smtp", "public_url", "secret_file", "engine", "api", "inbox"]
    static let inboxKeys = [
        "url", "tls", "user", "password_file", "ca_file", "poll_interval", "auto_replies_end_sequences",
        "soft_bounce_limit",
    ]
    static let apiKeys = ["listen", "token_file", "allow_remote", "max_body_bytes"]
    static let engineKeys = [
        "min_gap", "connections", "batch_size", "messages_per_second", "connections_per_domain", "max_attempts",
        "first_retry_delay", "max_retry_delay", "drain_timeout", "quiet_after", "alert_interval",
    ]
    static let smtpKeys = [
        "url", "tls", "user", "password_file", "ehlo", "ca_file", "connect_timeout", "response_timeout",
    ]

    /// Reads `explicitPath` if given (it must exist), else the first of `searchPaths` that exists, else the
    /// built-in defaults. `NURTURE_SMTP_URL` in `environment` overrides `smtp.url`.
    public static func load(
        explicitPath: String?, searchPaths: [String] = searchPaths,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Configuration {
        let override = environment["NURTURE_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let path = explicitPath ?? searchPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            return try load(file: path, smtpURLOverride: override)
        }
        var configuration = Configuration()
        if let override {
            configuration.smtp.url = override
            configuration.smtp.tls = defaultTLS(for: override)
        }
        return configuration
    }

    /// Plain text is the default only for a capture server on this machine.
    static func defaultTLS(for url: String) -> TLSMode {
        SMTPSettings.isLoopback(url: url) ? .none : .required
    }

    public static func load(file path: String, smtpURLOverride: String? = nil) throws(ConfigurationError)
        -> Configuration
    {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            let reason =
                FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "the file does not exist"
            throw ConfigurationError(diagnostics: [Diagnostic(.error, at: start, "\(reason); pass `--config PATH`")])
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var reader = YAMLReader(file: path)
        var configuration = Configuration(directory: directory)
        configuration.source = path
        // An empty file means "all defaults".
        var fields: [String: Node] = [:]
        if !text.allSatisfy(\.isWhitespace), let root = reader.compose(text) {
            fields = reader.mapping(root, of: "the configuration", allowed: keys) ?? [:]
        }
        read(fields, into: &configuration, directory: directory, reader: &reader)
        let smtpFields = fields["smtp"].flatMap { reader.mapping($0, of: "`smtp`", allowed: smtpKeys) } ?? [:]
        let engineFields = fields["engine"].flatMap { reader.mapping($0, of: "`engine`", allowed: engineKeys) } ?? [:]
        readEngine(engineFields, into: &configuration.engine, reader: &reader)
        let apiFields = fields["api"].flatMap { reader.mapping($0, of: "`api`", allowed: apiKeys) } ?? [:]
        readAPI(apiFields, into: &configuration.api, directory: directory, reader: &reader)
        if let node = fields["inbox"], let inboxFields = reader.mapping(node, of: "`inbox`", allowed: inboxKeys) {
            configuration.inbox = readInbox(inboxFields, node, directory: directory, reader: &reader)
        }
        configuration.smtpPasswordFile = readSMTP(
            smtpFields, into: &configuration.smtp, urlOverride: smtpURLOverride, directory: directory, reader: &reader)
        if reader.log.hasErrors { throw ConfigurationError(diagnostics: reader.log.diagnostics) }
        return configuration
    }

    private static func read(
        _ fields: [String: Node], into configuration: inout Configuration, directory: String,
        reader: inout YAMLReader
    ) {
        func path(_ key: String) -> String? {
            fields[key].flatMap { reader.nonEmptyString($0, key: key) }.map {
                Configuration.resolve($0, from: directory)
            }
        }
        configuration.campaigns = path("campaigns") ?? configuration.campaigns
        if let state = path("state") {
            configuration.state = state
            configuration.secretFile = Configuration.resolve("secret", from: state)
            configuration.api.tokenFile = Configuration.resolve("api-token", from: state)
        }
        configuration.secretFile = path("secret_file") ?? configuration.secretFile
        if let node = fields["public_url"], let url = reader.nonEmptyString(node, key: "public_url") {
            // Mail providers fetch one-click unsubscribe links only over https; http is for a local demo.
            if let parsed = URL(string: url), let host = parsed.host, let scheme = parsed.scheme?.lowercased(),
                scheme == "https" || (scheme == "http" && Loopback.contains(host: host))
            {
                configuration.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            } else {
                reader.log.error(
                    reader.location(of: node),
                    "`public_url: \(url)` must be an https:// address, like `https://go.acme.example` "
                        + "(http only for this machine)")
            }
        }
    }

    private static func readSMTP(
        _ fields: [String: Node], into smtp: inout SMTPSettings, urlOverride: String?, directory: String,
        reader: inout YAMLReader
    ) -> String? {
        let errorsBefore = reader.log.errorCount
        if let url = urlOverride ?? fields["url"].flatMap({ reader.nonEmptyString($0, key: "url") }) {
            smtp.url = url
            smtp.tls = defaultTLS(for: url)
        }
        if let node = fields["tls"], let text = reader.nonEmptyString(node, key: "tls") {
            if let mode = TLSMode(rawValue: text) {
                smtp.tls = mode
            } else {
                reader.log.error(
                    reader.location(of: node), "`tls: \(text)` must be `required` or `none` (loopback only)")
            }
        }
        smtp.user = fields["user"].flatMap { reader.nonEmptyString($0, key: "user") } ?? smtp.user
        smtp.ehloName = fields["ehlo"].flatMap { reader.nonEmptyString($0, key: "ehlo") } ?? smtp.ehloName
        smtp.caFile =
            fields["ca_file"].flatMap { reader.nonEmptyString($0, key: "ca_file") }
            .map { Configuration.resolve($0, from: directory) } ?? smtp.caFile
        for (key, keyPath) in [
            ("connect_timeout", \SMTPSettings.connectTimeout), ("response_timeout", \.responseTimeout),
        ] {
            guard let node = fields[key], let text = reader.nonEmptyString(node, key: key) else { continue }
            guard let seconds = Self.seconds(text) else {
                reader.log.error(
                    reader.location(of: node), "`\(key): \(text)` must be a number of seconds, like `30` or `30s`")
                continue
            }
            smtp[keyPath: keyPath] = .seconds(seconds)
        }
        // Read only by the commands that talk to the server (`run`, `send`): a systemd credential exists only
        // while the service runs, and `nurture status` must work without it.
        let passwordFile = fields["password_file"].flatMap { reader.nonEmptyString($0, key: "password_file") }
            .map { Configuration.resolve($0, from: directory) }
        // Settings already reported as wrong would only be reported again, less clearly.
        guard reader.log.errorCount == errorsBefore else { return passwordFile }
        do {
            var probe = smtp
            if passwordFile != nil { probe.password = "(read when sending)" }
            try probe.validate()
        } catch {
            // Point at the key to change.
            let key: [String] =
                switch error.code {
                case .plainTextToRemoteHost: ["tls", "url"]
                case .invalidEHLOName: ["ehlo"]
                case .invalidCredentials: ["user", "password_file"]
                case .unreadableCAFile: ["ca_file"]
                case .invalidTimeout: ["connect_timeout", "response_timeout"]
                default: ["url"]
                }
            let node = key.lazy.compactMap { fields[$0] }.first ?? fields.values.first
            let location = node.map(reader.location(of:)) ?? SourceLocation(file: reader.file, line: 1, column: 1)
            let origin = urlOverride != nil && key == ["url"] ? " (from NURTURE_SMTP_URL)" : ""
            reader.log.error(location, "`smtp`\(origin): \(error)")
        }
        return passwordFile
    }

    private static func readEngine(
        _ fields: [String: Node], into engine: inout EngineSettings, reader: inout YAMLReader
    ) {
        if let node = fields["min_gap"], let text = reader.nonEmptyString(node, key: "min_gap") {
            if text == "0" || text == "none" {
                engine.minimumGap = nil
            } else if let wait = try? Wait(parsing: text) {
                engine.minimumGap = wait
            } else {
                reader.log.error(
                    reader.location(of: node), "`min_gap: \(text)` must be a wait like `1 day` or `12 hours`, or `0`")
            }
        }
        let counts: [(String, WritableKeyPath<EngineSettings, Int>)] = [
            ("connections", \.connections), ("batch_size", \.batchSize),
            ("connections_per_domain", \.connectionsPerDomain), ("max_attempts", \.maxAttempts),
        ]
        for (key, path) in counts {
            guard let node = fields[key] else { continue }
            guard let value = reader.int(node, key: key), value > 0 else {
                reader.log.error(reader.location(of: node), "`\(key)` must be a whole number above 0")
                continue
            }
            engine[keyPath: path] = value
        }
        if let node = fields["messages_per_second"] {
            if let text = node.scalar?.string, let rate = Double(text), rate > 0 {
                engine.messagesPerSecond = rate
            } else {
                reader.log.error(reader.location(of: node), "`messages_per_second` must be a number above 0")
            }
        }
        for (key, path) in [("quiet_after", \EngineSettings.quietAfter), ("alert_interval", \.alertInterval)] {
            guard let node = fields[key], let text = reader.nonEmptyString(node, key: key) else { continue }
            guard let wait = try? Wait(parsing: text), wait.amount > 0, let seconds = wait.elapsedSeconds else {
                reader.log.error(
                    reader.location(of: node), "`\(key): \(text)` must be a length of time like `30 days` or `12 hours`"
                )
                continue
            }
            engine[keyPath: path] = seconds
        }
        for (key, path) in [
            ("first_retry_delay", \EngineSettings.firstRetryDelay), ("max_retry_delay", \.maxRetryDelay),
            ("drain_timeout", \.drainTimeout),
        ] {
            guard let node = fields[key], let text = reader.nonEmptyString(node, key: key) else { continue }
            guard let seconds = Self.seconds(text) else {
                reader.log.error(reader.location(of: node), "`\(key): \(text)` must be a number of seconds, like `60s`")
                continue
            }
            engine[keyPath: path] = TimeInterval(seconds)
        }
    }

    private static func readAPI(
        _ fields: [String: Node], into api: inout APISettings, directory: String, reader: inout YAMLReader
    ) {
        if let node = fields["token_file"], let path = reader.nonEmptyString(node, key: "token_file") {
            api.tokenFile = Configuration.resolve(path, from: directory)
        }
        if let node = fields["allow_remote"], let allow = reader.bool(node, key: "allow_remote") {
            api.allowRemote = allow
        }
        if let node = fields["max_body_bytes"], let bytes = reader.int(node, key: "max_body_bytes") {
            if bytes >= 1024 {
                api.maxBodyBytes = bytes
            } else {
                reader.log.error(reader.location(of: node), "`max_body_bytes` must be 1024 or more")
            }
        }
        guard let node = fields["listen"], let text = reader.nonEmptyString(node, key: "listen") else { return }
        if text == "off" {
            api.enabled = false
            return
        }
        guard let (host, port) = APISettings.parseListen(text) else {
            reader.log.error(
                reader.location(of: node),
                "`listen: \(text)` must be HOST:PORT, like `127.0.0.1:8080` or `[::1]:8080`, or `off`")
            return
        }
        api.host = host
        api.port = port
        if api.isRemote && !api.allowRemote {
            reader.log.error(
                reader.location(of: node),
                "`listen: \(text)` is reachable from other machines; keep the API on 127.0.0.1 behind a reverse "
                    + "proxy, or add `allow_remote: true` to `api` if that is what you want")
        }
    }

    private static func readInbox(
        _ fields: [String: Node], _ node: Node, directory: String, reader: inout YAMLReader
    ) -> InboxConfiguration? {
        guard let urlNode = fields["url"], let url = reader.nonEmptyString(urlNode, key: "url") else {
            reader.log.error(
                reader.location(of: node), "`inbox` needs `url`, like `imaps://imap.acme.example/INBOX`")
            return nil
        }
        let components = URLComponents(string: url)
        let scheme = components?.scheme?.lowercased()
        guard scheme == "imap" || scheme == "imaps", let host = components?.host, !host.isEmpty else {
            reader.log.error(
                reader.location(of: urlNode),
                "`url: \(url)` must be imaps://HOST/FOLDER, or imap://HOST/FOLDER (upgraded with STARTTLS)")
            return nil
        }
        var inbox = InboxConfiguration(url: url, requireTLS: true)
        if let tlsNode = fields["tls"], let text = reader.nonEmptyString(tlsNode, key: "tls") {
            switch text {
            case "required": inbox.requireTLS = true
            case "none" where Loopback.contains(host: host): inbox.requireTLS = false
            case "none":
                reader.log.error(
                    reader.location(of: tlsNode),
                    "`tls: none` sends the mailbox password in plain text; it is allowed only for a server on this "
                        + "machine, and \(host) is not")
            default: reader.log.error(reader.location(of: tlsNode), "`tls: \(text)` must be `required` or `none`")
            }
        }
        inbox.user = fields["user"].flatMap { reader.nonEmptyString($0, key: "user") }
        inbox.passwordFile = fields["password_file"].flatMap { reader.nonEmptyString($0, key: "password_file") }
            .map { Configuration.resolve($0, from: directory) }
        inbox.caFile = fields["ca_file"].flatMap { reader.nonEmptyString($0, key: "ca_file") }
            .map { Configuration.resolve($0, from: directory) }
        if let pollNode = fields["poll_interval"], let text = reader.nonEmptyString(pollNode, key: "poll_interval") {
            if let seconds = Self.seconds(text) {
                inbox.pollInterval = TimeInterval(seconds)
            } else {
                reader.log.error(
                    reader.location(of: pollNode), "`poll_interval: \(text)` must be a number of seconds, like `60s`")
            }
        }
        if let flag = fields["auto_replies_end_sequences"] {
            inbox.rules.autoRepliesEndSequences =
                reader.bool(flag, key: "auto_replies_end_sequences") ?? inbox.rules.autoRepliesEndSequences
        }
        if let limitNode = fields["soft_bounce_limit"], let limit = reader.int(limitNode, key: "soft_bounce_limit") {
            if limit > 0 {
                inbox.rules.softBounceLimit = limit
            } else {
                reader.log.error(reader.location(of: limitNode), "`soft_bounce_limit` must be 1 or more")
            }
        }
        if inbox.user != nil && inbox.passwordFile == nil {
            reader.log.error(reader.location(of: node), "`inbox` has `user` but no `password_file`")
        }
        return inbox
    }

    static func seconds(_ text: String) -> Int? {
        let digits = text.hasSuffix("s") ? String(text.dropLast()) : text
        return Int(digits.trimmingCharacters(in: .whitespaces)).flatMap { $0 > 0 ? $0 : nil }
    }
}
