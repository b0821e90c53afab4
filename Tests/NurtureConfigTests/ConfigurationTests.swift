import Foundation
import NurtureConfig
import NurtureSMTP
import NurtureTestSupport
import Testing

struct ConfigurationTests {
    /// The test's own folder, removed when it ends.
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    /// Writes `text` as a `nurture.yml` with `files` beside it, in a subfolder of its own, and returns its path.
    func write(_ text: String, files: [String: String] = [:]) throws -> String {
        let subfolder = UUID().uuidString
        for (name, content) in files {
            try folder.write(content, to: "\(subfolder)/\(name)")
        }
        return try folder.write(text, to: "\(subfolder)/nurture.yml").path
    }

    @Test func theDefaultsRunTheLocalDemo() throws {
        let configuration = try ConfigurationLoader.load(explicitPath: nil, searchPaths: [], environment: [:])
        #expect(configuration.smtp.url == "smtp://127.0.0.1:2525")
        #expect(configuration.smtp.tls == .none)
        #expect(configuration.campaigns.hasSuffix("/campaigns"))
        #expect(configuration.secretFile.hasSuffix("/var/secret"))
    }

    @Test func relativePathsAreResolvedFromTheFilesFolderAndThePasswordIsRead() throws {
        let path = try write(
            """
            campaigns: ./mine
            state: /srv/nurture
            smtp:
              url: smtp://mail.acme.example:587
              user: mailer
              password_file: smtp-password
              connect_timeout: 5s
            public_url: https://go.acme.example/
            """, files: ["smtp-password": "s3cret\n"])
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let configuration = try ConfigurationLoader.load(file: path)
        #expect(configuration.campaigns == folder + "/mine")
        #expect(configuration.state == "/srv/nurture")
        #expect(configuration.secretFile == "/srv/nurture/secret")
        #expect(configuration.smtp.tls == .required)
        #expect(configuration.smtp.user == "mailer")
        #expect(configuration.smtp.password == nil, "read only when sending")
        #expect(try configuration.smtpSettings().password == "s3cret")
        #expect(configuration.smtp.connectTimeout == .seconds(5))
        #expect(configuration.publicURL == "https://go.acme.example")
    }

    @Test func theEnvironmentOverridesTheSMTPURL() throws {
        let path = try write("smtp: { url: \"smtp://127.0.0.1:2525\" }\n")
        let configuration = try ConfigurationLoader.load(
            explicitPath: path, environment: ["NURTURE_SMTP_URL": "smtp://127.0.0.1:2626"])
        #expect(configuration.smtp.url == "smtp://127.0.0.1:2626")
    }

    @Test func theEnvironmentsURLDecidesTLSUnlessTheFileSaysSo() throws {
        let noSMTP = try write("campaigns: ./campaigns\n")
        let remote = try ConfigurationLoader.load(
            explicitPath: noSMTP, environment: ["NURTURE_SMTP_URL": "smtp://mail.acme.example:587"])
        #expect(remote.smtp.tls == .required)

        let production = try write("smtp: { url: \"smtps://mail.acme.example\" }\n")
        let capture = try ConfigurationLoader.load(
            explicitPath: production, environment: ["NURTURE_SMTP_URL": "smtp://127.0.0.1:2599"])
        #expect(capture.smtp.url == "smtp://127.0.0.1:2599")
        #expect(capture.smtp.tls == .none)

        let explicit = try write("smtp: { tls: required }\n")
        let kept = try ConfigurationLoader.load(
            explicitPath: explicit, environment: ["NURTURE_SMTP_URL": "smtp://127.0.0.1:2599"])
        #expect(kept.smtp.tls == .required)

        let defaults = try ConfigurationLoader.load(
            explicitPath: nil, searchPaths: [], environment: ["NURTURE_SMTP_URL": "smtp://mail.acme.example"])
        #expect(defaults.smtp.tls == .required)
    }

    @Test func anSMTPProblemPointsAtItsOwnKey() throws {
        let path = try write("smtp:\n  url: smtp://127.0.0.1:2525\n  ehlo: \"bad name\"\n")
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: path) }
        #expect(error?.diagnostics.first?.location.line == 3)
        #expect(error?.diagnostics.first?.message.contains("EHLO name") == true)
    }

    @Test func mistakesAreReportedWithTheirPosition() throws {
        let path = try write(
            """
            campaign: ./campaigns
            smtp:
              url: smtp://mail.acme.example
              tls: none
            """)
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: path) }
        let messages = error?.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } ?? []
        #expect(messages.count == 2)
        #expect(messages.first == "1:1: unknown key `campaign` in the configuration; did you mean `campaigns`?")
        #expect(
            messages.last?.hasPrefix("4:8: `smtp`: tls: none would send mail and the password in plain text") == true)
    }

    @Test func aPlainHTTPPublicURLIsOnlyForThisMachine() throws {
        let remote = try write("public_url: http://go.acme.example\n")
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(file: remote) }
        #expect(error?.description.contains("must be an https:// address") == true)
        let local = try write("public_url: http://localhost:8080\n")
        #expect(try ConfigurationLoader.load(file: local).publicURL == "http://localhost:8080")
    }

    @Test func aMissingPasswordFileIsAnErrorOnlyWhenSending() throws {
        let path = try write("smtp: { url: \"smtps://mail.acme.example\", user: u, password_file: /nonexistent/pw }\n")
        let configuration = try ConfigurationLoader.load(file: path)
        let error = #expect(throws: ConfigurationError.self) { try configuration.smtpSettings() }
        #expect(error?.description.contains("cannot read the SMTP password from `/nonexistent/pw`") == true)
    }

    @Test func aMissingExplicitFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(explicitPath: "/nonexistent/nurture.yml", environment: [:])
        }
    }
}
