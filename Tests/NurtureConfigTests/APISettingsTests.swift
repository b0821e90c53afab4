import Foundation
import NurtureConfig
import NurtureTestSupport
import Testing

struct APISettingsTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func load(_ text: String) throws -> Configuration {
        let path = try folder.write(text, to: "\(UUID().uuidString)/nurture.yml").path
        return try ConfigurationLoader.load(file: path)
    }

    func errors(_ text: String) throws -> [String] {
        do {
            _ = try load(text)
            return []
        } catch let error as ConfigurationError {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func theAPIListensOnLoopbackWithATokenInTheStateFolderByDefault() throws {
        let configuration = try load("state: /srv/nurture\n")
        #expect(configuration.api.enabled)
        #expect(configuration.api.authority == "127.0.0.1:8080")
        #expect(configuration.api.tokenFile == "/srv/nurture/api-token")
        #expect(configuration.api.maxBodyBytes == 65536)
        #expect(configuration.apiAddressFile == "/srv/nurture/api.address")
    }

    @Test func listenTakesIPv4IPv6LocalhostAndOff() throws {
        #expect(try load("api: { listen: \"[::1]:9000\" }\n").api.authority == "[::1]:9000")
        #expect(try load("api: { listen: \"localhost:0\" }\n").api.authority == "127.0.0.1:0")
        #expect(try load("api: { listen: \"off\" }\n").api.enabled == false)
        let configuration = try load(
            "api:\n  listen: 127.0.0.1:9100\n  token_file: /run/credentials/nurture.service/api-token\n")
        #expect(configuration.api.port == 9100)
        #expect(configuration.api.tokenFile == "/run/credentials/nurture.service/api-token")
    }

    @Test func listeningOffLoopbackMustBeAskedFor() throws {
        let refused = try errors("api:\n  listen: 0.0.0.0:8080\n")
        #expect(refused.count == 1)
        #expect(
            refused.first?.contains("nurture.yml:2:11: error: `listen: 0.0.0.0:8080` is reachable from other machines")
                == true, "\(refused)")
        #expect(refused.first?.contains("`allow_remote: true`") == true)
        let allowed = try load("api:\n  allow_remote: true\n  listen: 0.0.0.0:8080\n")
        #expect(allowed.api.host == "0.0.0.0")
    }

    /// Anything the kernel would bind beyond this machine, including a name (names are not resolved, so none
    /// counts as loopback but `localhost`), needs `allow_remote: true`; the token is wanted either way.
    @Test(arguments: [
        "0.0.0.0:8080", "[::]:8080", "192.168.1.10:8080", "10.0.0.1:0", "[fe80::1]:8080", "[2001:db8::1]:8080",
        "api.acme.example:8080", "localhost.:8080", "127.0.0.1.nip.io:8080", "[::ffff:10.0.0.1]:8080",
    ])
    func aListenAddressOffThisMachineIsRefusedWithoutAllowRemote(listen: String) throws {
        let refused = try errors("api:\n  listen: \"\(listen)\"\n")
        #expect(refused.count == 1, "\(refused)")
        #expect(refused.first?.contains("is reachable from other machines") == true, "\(refused)")
    }

    @Test(arguments: ["127.0.0.1:8080", "127.3.2.1:8080", "[::1]:8080", "localhost:8080", "[::ffff:127.0.0.1]:8080"])
    func aLoopbackListenAddressNeedsNothingMore(listen: String) throws {
        #expect(try errors("api:\n  listen: \"\(listen)\"\n") == [])
    }

    @Test(arguments: [
        ("api: { listen: \"8080\" }\n", "must be HOST:PORT"),
        ("api: { listen: \"127.0.0.1:99999\" }\n", "must be HOST:PORT"),
        ("api: { listen: \"::1:8080\" }\n", "must be HOST:PORT"),
        ("api: { max_body_bytes: 10 }\n", "`max_body_bytes` must be 1024 or more"),
        ("api: { allow_remote: maybe }\n", "`allow_remote` must be `true` or `false`"),
        ("api: { port: 8080 }\n", "port"),
        ("engine: { drain_timeout: soon }\n", "`drain_timeout: soon` must be a number of seconds"),
    ])
    func aBadAPIKeyIsOneErrorWithItsPosition(text: String, message: String) throws {
        let found = try errors(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains(message) == true, "\(found)")
        #expect(found.first?.contains("nurture.yml:1:") == true, "\(found)")
    }

    @Test func theDrainTimeoutIsConfigurable() throws {
        #expect(try load("engine: { drain_timeout: 20s }\n").engine.drainTimeout == 20)
        #expect(try load("").engine.drainTimeout == 30)
    }
}

struct InboxConfigurationTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    func load(_ text: String) throws -> Configuration {
        try ConfigurationLoader.load(file: try folder.write(text, to: "\(UUID().uuidString)/nurture.yml").path)
    }

    func errors(_ text: String) throws -> [String] {
        do {
            _ = try load(text)
            return []
        } catch let error as ConfigurationError {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func noInboxByDefault() throws {
        #expect(try load("").inbox == nil)
    }

    @Test func anInboxReadsItsConnectionAndItsRules() throws {
        let inbox = try #require(
            try load(
                """
                inbox:
                  url: imaps://imap.acme.example/Replies
                  user: replies@acme.example
                  password_file: imap-password
                  poll_interval: 30s
                  auto_replies_end_sequences: true
                  soft_bounce_limit: 5
                """
            ).inbox)
        #expect(inbox.url == "imaps://imap.acme.example/Replies")
        #expect(inbox.requireTLS)
        #expect(inbox.passwordFile?.hasSuffix("/imap-password") == true)
        #expect(inbox.pollInterval == 30)
        #expect(inbox.rules.autoRepliesEndSequences)
        #expect(inbox.rules.softBounceLimit == 5)
    }

    @Test(arguments: [
        ("inbox: { user: x }\n", "`inbox` needs `url`"),
        ("inbox: { url: \"pop3://mail.acme.example\" }\n", "must be imaps://HOST/FOLDER"),
        (
            "inbox: { url: \"imap://mail.acme.example/INBOX\", tls: none }\n",
            "allowed only for a server on this machine"
        ),
        ("inbox: { url: \"imaps://mail.acme.example\", user: x }\n", "has `user` but no `password_file`"),
        (
            "inbox: { url: \"imaps://mail.acme.example\", soft_bounce_limit: 0 }\n",
            "`soft_bounce_limit` must be 1 or more"
        ),
        ("inbox: { url: \"imaps://mail.acme.example\", poll: 5 }\n", "unknown key `poll`"),
    ])
    func aBadInboxIsOneErrorWithItsPosition(text: String, message: String) throws {
        let found = try errors(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains(message) == true, "\(found)")
    }

    @Test func plainTextIsFineOnThisMachine() throws {
        #expect(try load("inbox: { url: \"imap://127.0.0.1:1143/INBOX\", tls: none }\n").inbox?.requireTLS == false)
    }
}
