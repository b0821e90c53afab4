import NurtureCore
import Testing

struct MailboxTests {
    @Test(
        arguments: [
            ("Dana Reyes <dana@acme.example>", "Dana Reyes", "dana@acme.example"),
            ("\"Reyes, Dana\" <dana@acme.example>", "Reyes, Dana", "dana@acme.example"),
            ("<dana@acme.example>", nil, "dana@acme.example"),
            ("dana@ACME.example", nil, "dana@acme.example"),
            ("  o'brien+news@mail.acme.example  ", nil, "o'brien+news@mail.acme.example"),
        ] as [(String, String?, String)])
    func parsesTheUsualForms(text: String, name: String?, address: String) throws {
        let mailbox = try Mailbox(text)
        #expect(mailbox.displayName == name)
        #expect(mailbox.address.description == address)
    }

    @Test(arguments: [
        ("", AddressError.Reason.empty),
        ("dana.acme.example", .missingAt),
        ("dana@localhost", .badDomain),
        ("dana@-acme.example", .badDomain),
        ("da na@acme.example", .badLocalPart),
        (".dana@acme.example", .badLocalPart),
        ("josé@acme.example", .nonASCII),
        ("dana@acme.example\r\nBcc: x@y.z", .lineBreak),
        ("dana@acme.example\0", .lineBreak),
    ])
    func refusesWhatCannotBeSentTo(text: String, reason: AddressError.Reason) {
        let error = #expect(throws: AddressError.self) { try EmailAddress(text) }
        #expect(error?.reason == reason)
    }

    @Test func anUnclosedAngleIsRefused() {
        let error = #expect(throws: AddressError.self) { try Mailbox("Dana <dana@acme.example") }
        #expect(error?.reason == .unbalancedAngle)
    }

    @Test func aLineBreakInADisplayNameIsRefused() {
        let error = #expect(throws: AddressError.self) { try Mailbox("Dana\nBcc: x@y.z <dana@acme.example>") }
        #expect(error?.reason == .lineBreak)
    }
}

struct LoopbackTests {
    @Test(arguments: ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"])
    func loopbackHosts(host: String) {
        #expect(Loopback.contains(host: host))
    }

    @Test(arguments: ["10.0.0.1", "128.0.0.1", "mail.acme.example", "localhost.acme.example", "::2", ""])
    func otherHosts(host: String) {
        #expect(!Loopback.contains(host: host))
    }
}

struct ManualClockTests {
    @Test func movesOnlyWhenTold() {
        let clock = ManualClock(.init(timeIntervalSince1970: 1_000))
        #expect(clock.now().timeIntervalSince1970 == 1_000)
        clock.advance(by: 60)
        #expect(clock.now().timeIntervalSince1970 == 1_060)
    }
}
