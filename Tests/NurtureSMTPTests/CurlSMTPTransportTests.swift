import NurtureCore
import NurtureSMTP
import NurtureTestSupport
import Testing

/// Against a real SMTP server (aiosmtpd) on 127.0.0.1; each test starts its own.
@Suite struct CurlSMTPTransportTests {
    private let from: EmailAddress
    private let to: EmailAddress

    init() throws {
        (from, to) = try Fixtures.envelope()
    }

    @Test func deliversInPlainTextToLoopbackWithTheMessageIntact() throws {
        let server = try TestSMTPServer()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))
        // A line that starts with a dot (SMTP escapes it), 8-bit text, a long line and a blank last line.
        let message = Fixtures.message(body: [
            ".hidden dot", "..two dots", "Grüße, Dana ✓", String(repeating: "x", count: 900), "",
        ])

        let result = transport.send(message, from: from, to: to)

        #expect(result == .delivered(SMTPReply(code: 250, text: "2.0.0 Ok: queued as 1")))
        let logged = try #require(try server.messages().first)
        #expect(logged.mailFrom == Fixtures.sender)
        #expect(logged.recipients == [Fixtures.recipient])
        #expect(logged.tls == false)
        #expect(logged.ehlo == "nurture.test")
        #expect(try server.messageBytes(1) == message)
    }

    @Test func deliversOverSTARTTLSWithLogin() throws {
        let server = try TestSMTPServer(["--require-starttls", "--auth", "mailer:\(Fixtures.password)"], tls: true)
        let transport = try CurlSMTPTransport(
            settings: Fixtures.tlsSettings(server: server, user: "mailer", password: Fixtures.password))

        for number in 1...3 {
            #expect(transport.send(Fixtures.message(subject: "\(number)"), from: from, to: to).isDelivered)
        }

        let logged = try server.messages()
        #expect(logged.count == 3)
        #expect(logged.allSatisfy { $0.tls == true && $0.authenticated == true })
        #expect(Set(logged.map(\.connection)).count == 1, "the TLS connection is kept between messages")
    }

    @Test func deliversOverImplicitTLS() throws {
        let server = try TestSMTPServer(["--implicit-tls"], tls: true)
        var settings = Fixtures.tlsSettings(server: server)
        settings.url = "smtps://127.0.0.1:\(server.port)"
        let transport = try CurlSMTPTransport(settings: settings)

        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        #expect(try server.messages().first?.tls == true)
    }

    @Test func aWrongPasswordIsATransientFailureThatNamesTheLoginAndHidesThePassword() throws {
        let server = try TestSMTPServer(["--auth", "mailer:right-password"], tls: true)
        let transport = try CurlSMTPTransport(
            settings: Fixtures.tlsSettings(server: server, user: "mailer", password: Fixtures.password))

        let result = transport.send(Fixtures.message(), from: from, to: to)

        let failure = try #require(result.failure)
        #expect(result.isTransient)
        #expect(failure.stage == .auth)
        #expect(failure.code == 535)
        #expect(failure.message.contains("the server refused our login (535"))
        #expect(failure.message.contains("check smtp.user and the password file"))
        #expect(!"\(failure) \(failure.curlDetail ?? "") \(String(reflecting: failure))".contains(Fixtures.password))
        #expect(try server.messages().isEmpty)
    }

    @Test func requiredTLSWithAServerThatDoesNotOfferSTARTTLSIsATransientFailure() throws {
        let server = try TestSMTPServer()
        var settings = Fixtures.tlsSettings(server: server)
        settings.caFile = try TestCertificate.generate(in: server.spool).certificate
        let transport = try CurlSMTPTransport(settings: settings)

        let result = transport.send(Fixtures.message(), from: from, to: to)

        #expect(result.isTransient)
        #expect(result.failure?.stage == .tls)
        #expect(result.failure?.message.contains("does not offer STARTTLS") == true)
        #expect(try server.messages().isEmpty, "nothing may go out in plain text")
    }

    @Test func anUntrustedCertificateIsATransientTLSFailure() throws {
        let server = try TestSMTPServer(tls: true)
        var settings = Fixtures.tlsSettings(server: server)
        settings.caFile = nil

        let result = transport(settings).send(Fixtures.message(), from: from, to: to)

        #expect(result.isTransient)
        #expect(result.failure?.stage == .tls)
        #expect(result.failure?.curlCode != nil)
    }

    @Test func aRecipientRefusedWith550IsAPermanentFailure() throws {
        let server = try TestSMTPServer(["--refuse", "\(Fixtures.recipient):550"])
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        let result = transport.send(Fixtures.message(), from: from, to: to)

        let failure = try #require(result.failure)
        #expect(result.isPermanent)
        #expect(failure.stage == .rcptTo)
        #expect(failure.reply == SMTPReply(code: 550, text: "5.1.1 No such user"))
        #expect(failure.message.hasSuffix("550 5.1.1 No such user"))
    }

    @Test func aRecipientDeferredWith451IsATransientFailure() throws {
        let server = try TestSMTPServer(["--refuse", "\(Fixtures.recipient):451"])
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        let result = transport.send(Fixtures.message(), from: from, to: to)

        #expect(result.isTransient)
        #expect(result.failure?.stage == .rcptTo)
        #expect(result.failure?.reply == SMTPReply(code: 451, text: "4.3.0 Try later"))
    }

    @Test func aRefusalDoesNotSpoilTheNextMessage() throws {
        let server = try TestSMTPServer(["--refuse", "gone@example.com:550"])
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        #expect(
            transport.send(Fixtures.message(), from: from, to: try Fixtures.address("gone@example.com")).isPermanent)
        #expect(transport.send(Fixtures.message(), from: from, to: to).isDelivered)
        #expect(try server.messages().map(\.recipients) == [[Fixtures.recipient]])
    }

    @Test func aServerThatIsDownIsATransientConnectFailure() throws {
        let server = try TestSMTPServer()
        server.stop()
        let transport = try CurlSMTPTransport(settings: Fixtures.plainSettings(port: server.port))

        let result = transport.send(Fixtures.message(), from: from, to: to)

        #expect(result.isTransient)
        #expect(result.failure?.stage == .connect)
        #expect(result.failure?.code == nil)
        #expect(result.failure?.message.contains("could not connect") == true)
    }

    @Test func aServerThatNeverGreetsIsATransientTimeout() throws {
        let listener = try SilentListener()
        var settings = Fixtures.plainSettings(port: listener.port)
        settings.connectTimeout = .milliseconds(300)

        let result = transport(settings).send(Fixtures.message(), from: from, to: to)

        #expect(result.isTransient)
        #expect(result.failure?.stage == .connect)
        #expect(result.failure?.curlCode == 28)
        #expect(result.failure?.message.contains("did not answer in time") == true)
    }

    private func transport(_ settings: SMTPSettings) -> CurlSMTPTransport {
        // Settings built by the fixtures are valid; a failure here is a bug in the test.
        do { return try CurlSMTPTransport(settings: settings) } catch { fatalError("\(error)") }
    }
}
