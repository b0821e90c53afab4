import NurtureIMAP
import NurtureTestSupport
import Testing

/// TLS from the first byte, STARTTLS, and the refusal to fall back to plain text.
@Suite struct IMAPTLSTests {
    @Test func imapsReadsMailTrustingTheServersCAFile() throws {
        let server = try TestIMAPServer(.implicitTLS)
        try server.deliver(IMAPFixtures.reply(1))
        let batch = try IMAPFixtures.mailbox(server).fetch(after: nil, limit: 10)
        #expect(batch.messages.map(\.bytes) == [IMAPFixtures.reply(1)])
        #expect(server.log.contains("TLS"))
    }

    @Test func imapsWithoutTheCAFileIsATLSError() throws {
        let server = try TestIMAPServer(.implicitTLS)
        var settings = IMAPFixtures.settings(server)
        settings.caFile = nil
        let mailbox = try CurlIMAPMailbox(settings: settings)
        let error = IMAPFixtures.imapError { () throws(IMAPError) in try mailbox.fetch(after: nil, limit: 10) }
        #expect(error?.code == .tls)
        #expect(error?.message.contains("inbox.ca_file") == true)
    }

    @Test func imapWithSTARTTLSRequiredReadsMail() throws {
        let server = try TestIMAPServer(.startTLS)
        try server.deliver(IMAPFixtures.reply(1))
        let settings = IMAPFixtures.settings(server)
        #expect(settings.url.hasPrefix("imap://") && settings.tls == .required)
        let batch = try CurlIMAPMailbox(settings: settings).fetch(after: nil, limit: 10)
        #expect(batch.messages.map(\.bytes) == [IMAPFixtures.reply(1)])
        #expect(server.log.contains("Login: user=<\(TestIMAPServer.user)>"))
        #expect(server.log.contains("TLS"))
    }

    @Test func aServerWithoutSTARTTLSIsRefusedBeforeAnyLogin() throws {
        let server = try TestIMAPServer(.plain)
        try server.deliver(IMAPFixtures.reply(1))
        var settings = IMAPFixtures.settings(server)
        settings.tls = .required
        let mailbox = try CurlIMAPMailbox(settings: settings)
        let error = IMAPFixtures.imapError { () throws(IMAPError) in try mailbox.fetch(after: nil, limit: 10) }
        #expect(error?.code == .tls)
        #expect(error?.message.contains("STARTTLS") == true)
        // The password never went out in plain text: the server saw no login attempt at all.
        #expect(!server.log.contains("Login:"))
        #expect(!server.log.contains("auth failed"))
    }
}
