import NurtureSMTP
import Testing

@Suite struct SMTPSettingsTests {
    private func configurationError(_ settings: SMTPSettings) -> SMTPConfigurationError? {
        do {
            try settings.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        "smtp://mail.example.com:587", "smtps://mail.example.com", "smtp://[2001:db8::1]:25/", "SMTP://x.y",
    ])
    func acceptsSMTPAndSMTPSURLs(url: String) {
        #expect(configurationError(SMTPSettings(url: url)) == nil)
    }

    @Test(arguments: [
        "mail.example.com:587", "http://mail.example.com", "smtp://", "smtp://mail.example.com:0",
        "smtp://mail.example.com:99999", "smtp://mail.example.com:25x", "smtp://mail.example.com/ehlo",
        "smtp://mail.example.com?x=1", "smtp://::1:25", "smtp://[::1", "smtp://bad host",
    ])
    func refusesURLsThatAreNotPlainSMTPEndpoints(url: String) {
        #expect(configurationError(SMTPSettings(url: url))?.code == .invalidURL)
    }

    @Test func refusesCredentialsInTheURLWithoutRepeatingThem() throws {
        let error = try #require(configurationError(SMTPSettings(url: "smtp://mailer:hunter2@mail.example.com")))
        #expect(error.code == .invalidURL)
        #expect(!error.message.contains("hunter2"))
        #expect(error.message.contains("smtp.user"))
    }

    @Test(arguments: [
        "smtp://127.0.0.1:2525", "smtp://127.8.9.10", "smtp://localhost:25", "smtp://[::1]:2525",
        "smtp://LOCALHOST", "smtp://[::ffff:127.0.0.1]:25",
    ])
    func allowsPlainTextToLoopback(url: String) {
        #expect(configurationError(SMTPSettings(url: url, tls: .none)) == nil)
        #expect(SMTPSettings.isLoopback(url: url))
    }

    @Test(arguments: [
        "smtp://mail.example.com", "smtp://10.0.0.1:25", "smtp://[2001:db8::1]", "smtp://128.0.0.1",
        "smtp://localhost.example.com", "smtp://127.1",
    ])
    func refusesPlainTextToAnyOtherHost(url: String) throws {
        let error = try #require(configurationError(SMTPSettings(url: url, tls: .none)))
        #expect(error.code == .plainTextToRemoteHost)
        #expect(error.message.contains("tls: required"))
        #expect(!SMTPSettings.isLoopback(url: url))
    }

    @Test func refusesPlainTextWithImplicitTLS() {
        #expect(configurationError(SMTPSettings(url: "smtps://127.0.0.1", tls: .none))?.code == .invalidURL)
    }

    @Test(arguments: ["", "bad name", "-leading", "tab\tname", "a\r\nQUIT", "é.example"])
    func refusesAnEHLONameThatIsNotAHostName(name: String) {
        #expect(
            configurationError(SMTPSettings(url: "smtp://mail.example.com", ehloName: name))?.code == .invalidEHLOName)
    }

    @Test func asksForBothUserAndPasswordOrNeither() {
        let url = "smtp://mail.example.com"
        #expect(configurationError(SMTPSettings(url: url, user: "mailer"))?.code == .invalidCredentials)
        #expect(configurationError(SMTPSettings(url: url, password: "x"))?.code == .invalidCredentials)
        #expect(
            configurationError(SMTPSettings(url: url, user: "mailer", password: "a\u{0}b"))?.code == .invalidCredentials
        )
        #expect(configurationError(SMTPSettings(url: url, user: "mailer", password: "x")) == nil)
    }

    @Test func refusesAMissingCAFile() {
        let settings = SMTPSettings(url: "smtp://mail.example.com", caFile: "/nonexistent/ca.pem")
        #expect(configurationError(settings)?.code == .unreadableCAFile)
    }

    @Test func refusesTimeoutsThatAreNotPositive() {
        #expect(
            configurationError(SMTPSettings(url: "smtp://x.example", connectTimeout: .zero))?.code == .invalidTimeout)
        #expect(
            configurationError(SMTPSettings(url: "smtp://x.example", responseTimeout: .seconds(-1)))?.code
                == .invalidTimeout)
    }

    @Test func theTransportRefusesBadSettingsAtInit() {
        #expect(throws: SMTPConfigurationError.self) {
            _ = try CurlSMTPTransport(settings: SMTPSettings(url: "smtp://mail.example.com", tls: .none))
        }
    }

    @Test func neverShowsThePasswordInDescriptionsOrDumps() {
        let settings = SMTPSettings(url: "smtp://mail.example.com", user: "mailer", password: Fixtures.password)
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [
            settings.description, settings.debugDescription, String(reflecting: settings), "\(settings)", dumped,
        ] {
            #expect(!text.contains(Fixtures.password))
            #expect(text.contains("mailer"))
        }
    }
}
