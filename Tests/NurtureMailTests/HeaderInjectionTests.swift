import NurtureCore
import Testing

@testable import NurtureMail

/// No prospect-supplied text can add a header: a CR, LF or NUL in any value bound for a header is refused, and the
/// error names the field.
@Suite struct HeaderInjectionTests {
    static let breaks = ["\r\nBcc: victim@evil.example", "\nBcc: victim@evil.example", "a\rb", "a\0b"]

    struct Field: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var inject: @Sendable (inout MailMessage, String) -> Void
    }

    static let fields: [Field] = [
        Field(testDescription: "Subject") { $0.subject = "Hello" + $1 },
        Field(testDescription: "From display name") { $0.from.displayName = "Sam" + $1 },
        Field(testDescription: "To display name") { $0.to.displayName = "Dana" + $1 },
        Field(testDescription: "Reply-To display name") {
            $0.replyTo = Fixture.mailbox("Sales" + $1, "sales@acme.example")
        },
        Field(testDescription: "X-Nurture-Campaign header") {
            $0.extraHeaders = [MailHeader("X-Nurture-Campaign", "whitepaper" + $1)]
        },
        Field(testDescription: "List-Unsubscribe URL") {
            $0.listUnsubscribe?.url = "https://go.acme.example/u/abc" + $1
        },
    ]

    @Test(arguments: fields, breaks)
    func lineBreakOrNULInAHeaderValueIsRefusedNamingTheField(_ field: Field, _ injected: String) {
        var message = Fixture.message()
        field.inject(&message, injected)
        #expect {
            try Fixture.builder().build(message)
        } throws: { error in
            guard let error = error as? MessageError else { return false }
            return error.code == .headerInjection && error.field == field.testDescription
                && error.description.contains(field.testDescription) && error.description.contains("line break")
        }
    }

    @Test(arguments: breaks)
    func lineBreakInAHeaderNameIsRefused(_ injected: String) {
        var message = Fixture.message()
        message.extraHeaders = [MailHeader("X-Campaign" + injected, "whitepaper")]
        #expect {
            try Fixture.builder().build(message)
        } throws: { error in
            (error as? MessageError)?.code == .headerInjection
        }
    }

    @Test(arguments: breaks)
    func envelopeAddressesCannotCarryALineBreak(_ injected: String) {
        #expect(throws: AddressError.self) { try EmailAddress("dana@prospect.example" + injected) }
        #expect(throws: AddressError.self) { try Mailbox("Dana <dana@prospect.example>" + injected) }
    }

    @Test func injectionIsReportedBeforeAnyOtherProblem() {
        var message = Fixture.message(subject: "Hi\r\nBcc: victim@evil.example")
        message.listUnsubscribe?.url = "ftp://not-https.example/"
        #expect {
            try Fixture.builder().build(message)
        } throws: { error in
            (error as? MessageError)?.code == .headerInjection
        }
    }
}
