import Foundation
import Testing

@testable import NurtureMail

@Suite struct ListUnsubscribeTests {
    static func build(url: String) throws -> EncodedMessage {
        var message = Fixture.message()
        message.listUnsubscribe = ListUnsubscribe(url: url, mailto: Fixture.address("unsubscribe@acme.example"))
        return try Fixture.builder().build(message)
    }

    @Test func headersOfferOneClickAndMailto() throws {
        let built = try Self.build(url: "https://go.acme.example/u/token123")
        #expect(
            built.header("List-Unsubscribe")
                == "<https://go.acme.example/u/token123>, <mailto:unsubscribe@acme.example?subject=unsubscribe>")
        #expect(built.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
    }

    @Test(arguments: [
        "http://localhost:8080/u/t", "http://127.0.0.1/u/t", "http://[::1]:8080/u/t", "HTTPS://Go.Acme.Example/u",
    ])
    func httpsOrLoopbackHTTPIsAccepted(_ url: String) throws {
        #expect(try Self.build(url: url).header("List-Unsubscribe")?.hasPrefix("<\(url)>,") == true)
    }

    @Test(arguments: [
        "http://go.acme.example/u/t", "ftp://go.acme.example/u", "mailto:x@acme.example", "/u/token", "https://",
        "https://go.acme.example/u/a b", "https://go.acme.example/u/a>b", "https://go.acme.example/<x",
        "https://go.acme.example/u/\u{7}", "https://go.acme.example/u/café", "https://\tgo.acme.example/",
        "https://go.acme.example/" + String(repeating: "t", count: 900),
    ])
    func unsafeOrNonHTTPSURLIsRefused(_ url: String) {
        #expect {
            try Self.build(url: url)
        } throws: { error in
            guard let error = error as? MessageError else { return false }
            return error.code == .invalidUnsubscribeURL && error.field == "List-Unsubscribe URL"
        }
    }

    @Test func refusalSaysWhatToDo() {
        #expect {
            try Self.build(url: "http://go.acme.example/u")
        } throws: { error in
            "\(error)".contains("http://go.acme.example/u") && "\(error)".contains("https")
        }
    }

    /// Byte for byte what Foundation's percent-encoding gives with the same characters allowed.
    @Test(arguments: [
        "unsubscribe@acme.example", "un+sub?list=1&x%y#z@acme.example", "a b\"c(d)@[127.0.0.1]", "zoë@exämple.de",
        "~!$'*-._@x", "=/^`{|}@x", "日本@例え.jp", "",
    ])
    func mailtoEncodingIsFoundations(address: String) {
        let allowed = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'*+@")
        #expect(
            ListUnsubscribe.percentEncoded(address) == address.addingPercentEncoding(withAllowedCharacters: allowed))
    }

    @Test func mailtoAddressIsPercentEncoded() throws {
        var message = Fixture.message()
        message.listUnsubscribe = ListUnsubscribe(
            url: "https://go.acme.example/u", mailto: Fixture.address("un+sub?list=1&x%y#z@acme.example"))
        let header = try Fixture.builder().build(message).header("List-Unsubscribe")
        #expect(header?.hasSuffix("<mailto:un+sub%3Flist%3D1%26x%25y%23z@acme.example?subject=unsubscribe>") == true)
    }
}
