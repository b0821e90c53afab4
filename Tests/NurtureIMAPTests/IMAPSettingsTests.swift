import NurtureIMAP
import Testing

@Suite struct IMAPSettingsTests {
    private func error(_ settings: IMAPSettings) -> IMAPConfigurationError? {
        do {
            try settings.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        "imaps://mail.acme.example/INBOX", "imaps://mail.acme.example:993/Replies", "imap://mail.acme.example/INBOX",
        "imaps://mail.acme.example", "imaps://mail.acme.example/", "imaps://[2001:db8::1]:993/Sent%20Items",
    ])
    func goodURLsPass(url: String) {
        #expect(error(IMAPSettings(url: url, user: "replies", password: "pw")) == nil)
    }

    @Test(arguments: [
        ("pop3://mail.acme.example/", "imaps://"),
        ("imaps://replies:pw@mail.acme.example/INBOX", "password file"),
        ("imaps://mail.acme.example/INBOX;UID=5", "name only a folder"),
        ("imaps://mail.acme.example/INBOX?SUBJECT%20x", "name only a folder"),
        ("imaps://mail.acme.example:99999/INBOX", "1 to 65535"),
        ("imaps://mail.acme.example/R%C3%A9ponses", "modified UTF-7"),
        ("imaps://mail.acme.example/Bad%0AFolder", "control characters"),
        ("imaps://mail.acme.example/Broken%2", "%-escape"),
    ])
    func badURLsSayWhatToWrite(url: String, advice: String) {
        let failure = error(IMAPSettings(url: url, user: "replies", password: "pw"))
        #expect(failure?.code == .invalidURL)
        #expect(failure?.message.contains(advice) == true, "\(failure?.message ?? "no error")")
    }

    @Test func plainTextGoesOnlyToThisMachine() {
        #expect(error(IMAPSettings(url: "imap://127.0.0.1:1143/INBOX", tls: .none, user: "r", password: "p")) == nil)
        #expect(error(IMAPSettings(url: "imap://[::1]:1143/INBOX", tls: .none, user: "r", password: "p")) == nil)
        #expect(error(IMAPSettings(url: "imap://localhost/INBOX", tls: .none, user: "r", password: "p")) == nil)
        let remote = error(IMAPSettings(url: "imap://mail.acme.example/INBOX", tls: .none, user: "r", password: "p"))
        #expect(remote?.code == .plainTextToRemoteHost)
        #expect(remote?.message.contains("use tls: required") == true)
        let implicit = error(IMAPSettings(url: "imaps://127.0.0.1/INBOX", tls: .none, user: "r", password: "p"))
        #expect(implicit?.code == .invalidURL)
    }

    @Test func credentialsAndTimeoutsAreChecked() {
        let url = "imaps://mail.acme.example/INBOX"
        #expect(error(IMAPSettings(url: url, user: "", password: "p"))?.code == .invalidCredentials)
        #expect(error(IMAPSettings(url: url, user: "a\r\nb", password: "p"))?.code == .invalidCredentials)
        #expect(error(IMAPSettings(url: url, user: "r", password: "p\0q"))?.code == .invalidCredentials)
        #expect(
            error(IMAPSettings(url: url, user: "r", password: "p", caFile: "/nonexistent/ca.pem"))?.code
                == .unreadableCAFile)
        #expect(
            error(IMAPSettings(url: url, user: "r", password: "p", responseTimeout: .zero))?.code == .invalidTimeout)
    }

    @Test func thePasswordNeverShowsInDescriptionsOrDumps() {
        let settings = IMAPSettings(url: "imaps://mail.acme.example/INBOX", user: "replies", password: "hunter2-secret")
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [
            settings.description, settings.debugDescription, "\(settings)", String(reflecting: settings), dumped,
        ] {
            #expect(!text.contains("hunter2-secret"))
            #expect(text.contains("<redacted>"))
        }
    }
}
