import Foundation
import NurtureTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The secrets (SMTP and IMAP passwords, the API token, the link-signing key) stay where they were put: never in
/// the log, an error or a status; and the state they sit in is readable by its owner alone.
struct SecretsTests {
    static let campaign = LinkTests.campaign
    static let smtpPassword = "wrong-smtp-Pa55-7f3e9c"
    static let imapPassword = "wrong-imap-Pa55-e41b0d"

    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder([
            "campaigns/hello.yml": Self.campaign,
            "campaigns/hi.md": "Here is [the guide](https://acme.example/guide).\n",
        ])
    }

    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, "\(path)")
    }

    /// `nurture arguments...` with the umask most shells have, which leaves new files readable by everyone.
    func runWithUmask022(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "umask 022 && exec \"$0\" \"$@\"", NurtureProcess.executable.path] + arguments,
            in: folder.url, environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()])
    }

    /// Every spelling of a secret that could end up in text: as it is, and the key as hex and base64.
    func spellings() throws -> [String: String] {
        var found: [String: String] = ["SMTP password": Self.smtpPassword, "IMAP password": Self.imapPassword]
        if let token = try? String(contentsOfFile: folder.path + "/var/api-token", encoding: .utf8) {
            found["API token"] = token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let key = FileManager.default.contents(atPath: folder.path + "/var/secret") {
            found["signing key (hex)"] = key.map { String(format: "%02x", $0) }.joined()
            found["signing key (base64)"] = String(key.base64EncodedString().prefix(40))
            found["signing key (base64url)"] = String(
                key.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                    .replacingOccurrences(of: "/", with: "_").prefix(40))
            found["signing key (bytes)"] = String(decoding: key.prefix(12), as: UTF8.self)
        }
        return found
    }

    // MARK: owner-only state

    @Test func aCLICommandCreatesTheStateFolderAndDatabaseOwnerOnly() throws {
        try folder.write("campaigns: ./campaigns\nstate: ./var\napi: { listen: \"off\" }\n", to: "nurture.yml")
        let result = try runWithUmask022(["enroll", "hello", "--email", "pat@example.com", "--config", "nurture.yml"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try Self.mode(folder.path + "/var") == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/var")
        #expect(files.contains("nurture.sqlite"))
        for file in files {
            #expect(try Self.mode(folder.path + "/var/" + file) == 0o600, "var/\(file)")
        }
    }

    @Test func theDaemonCreatesItsStateAndItsSecretsOwnerOnly() throws {
        try folder.write("campaigns: ./campaigns\nstate: ./var\n" + Daemon.anyPort, to: "nurture.yml")
        // The daemon inherits the umask of whoever starts it; under systemd UMask=0077 hides the problem.
        let previous = umask(0o022)
        let daemon = try Daemon(["--config", folder.path + "/nurture.yml"], in: folder, environment: [:])
        umask(previous)
        let api = try DaemonAPI(folder: folder)
        #expect(
            try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "pat@example.com"}"#).status
                == 201)
        #expect(try Self.mode(folder.path + "/var") == 0o700)
        for file in [
            "nurture.sqlite", "nurture.sqlite-wal", "nurture.sqlite-shm", "secret", "api-token", "nurture.lock",
        ] {
            #expect(try Self.mode(folder.path + "/var/" + file) == 0o600, "var/\(file)")
        }
        #expect(daemon.terminate() == 0)
    }

    // MARK: never in a log or an error

    /// A daemon whose SMTP and IMAP passwords are both wrong, called with wrong tokens: everything it says about
    /// it, in its log, `nurture status` and `nurture send`, names the problem but none of the secrets.
    @Test func wrongPasswordsAndWrongTokensLeaveNoSecretInTheLogOrTheStatus() throws {
        let smtp = try TestSMTPServer(["--require-starttls", "--auth", "mailer:the-right-one"], tls: true)
        let imap = try TestIMAPServer(.plain)
        try folder.write(
            """
            campaigns: ./campaigns
            state: ./var
            smtp:
              url: smtp://localhost:\(smtp.port)
              tls: required
              user: mailer
              password_file: smtp-password
              ca_file: \(smtp.certificate?.certificate ?? "")
            inbox:
              url: \(imap.url())
              tls: none
              user: \(TestIMAPServer.user)
              password_file: imap-password
              poll_interval: 1s
            \(Daemon.anyPort)
            """, to: "nurture.yml")
        try folder.write(Self.smtpPassword + "\n", to: "smtp-password")
        try folder.write(Self.imapPassword + "\n", to: "imap-password")

        let daemon = try Daemon(["--config", folder.path + "/nurture.yml"], in: folder, environment: [:])
        let api = try DaemonAPI(folder: folder)
        #expect(
            try api.call("POST", "/v1/enrollments", json: #"{"campaign": "hello", "email": "pat@example.com"}"#).status
                == 201)
        for authorization in ["Bearer \(api.token)x", "Bearer x\(api.token)", "Basic \(api.token)", api.token] {
            #expect(try api.call("GET", "/v1/status", authorization: .some(authorization)).status == 401)
        }
        // Both logins are refused and logged; what is logged is what the test looks through.
        #expect(
            eventually(within: .seconds(20)) {
                let log = daemon.output.lowercased()
                return log.contains("login") && (log.contains("imap") || log.contains("inbox"))
            }, "\(daemon.output)")
        let status = try NurtureProcess.run(["status", "--config", folder.path + "/nurture.yml"], in: folder.url)
        let json = try NurtureProcess.run(
            ["status", "--json", "--config", folder.path + "/nurture.yml"], in: folder.url)
        let send = try NurtureProcess.run(
            ["send", "hello", "hi", "--to", "me@acme.example", "--config", folder.path + "/nurture.yml"],
            in: folder.url)
        #expect(send.status != 0, "the server refused the login")
        #expect(daemon.terminate() == 0)

        let said = [
            "the log": daemon.output, "`nurture status`": status.stdoutText + status.stderrText,
            "`nurture status --json`": json.stdoutText + json.stderrText,
            "`nurture send`": send.stdoutText + send.stderrText,
        ]
        let secrets = try spellings()
        #expect(secrets.count == 7, "\(secrets.keys.sorted())")
        for (place, text) in said {
            #expect(!text.isEmpty, "\(place) said nothing")
            for (name, secret) in secrets {
                #expect(!text.contains(secret), "the \(name) is in \(place):\n\(text)")
            }
        }
    }

    /// A secret file the daemon refuses is named, with what is wrong with it, but what it holds is not repeated.
    @Test(arguments: [
        ("api-token", "hunter2short\n", "hunter2short"),
        ("api-token", "correct horse battery staple\n", "horse"),
        ("secret", "tiny-secret-value", "tiny-secret"),
    ])
    func aRefusedSecretFileIsNamedButNotQuoted(file: String, content: String, secret: String) throws {
        try folder.write("campaigns: ./campaigns\nstate: ./var\n" + Daemon.anyPort, to: "nurture.yml")
        try folder.write(content, to: "var/" + file)
        let result = try NurtureProcess.run(["run", "--config", folder.path + "/nurture.yml"], in: folder.url)
        #expect(result.status != 0)
        #expect(result.stderrText.contains("var/" + file), "\(result.stderrText)")
        #expect(!(result.stdoutText + result.stderrText).contains(secret), "\(result.stderrText)")
    }

    @Test func anSMTPPasswordWithANulIsRefusedWithoutRepeatingIt() throws {
        try folder.write(
            "campaigns: ./campaigns\nstate: ./var\nsmtp: { url: \"smtp://127.0.0.1:1\", user: mailer, "
                + "password_file: smtp-password }\n" + Daemon.anyPort, to: "nurture.yml")
        try folder.write("first-half\u{0}second-half\n", to: "smtp-password")
        let result = try NurtureProcess.run(
            ["send", "hello", "hi", "--to", "me@acme.example", "--config", folder.path + "/nurture.yml"],
            in: folder.url)
        #expect(result.status != 0)
        #expect(result.stderrText.contains("NUL"), "\(result.stderrText)")
        #expect(!result.stderrText.contains("first-half") && !result.stderrText.contains("second-half"))
    }
}
