import Foundation
import NurtureCore
import Testing

@testable import NurtureMail

@Suite struct LinkSignerTests {
    static let secret = Array(0..<32).map { UInt8($0) }
    static let signer = LinkSigner(secret: secret)
    static let dana = Fixture.address("dana@prospect.example")

    static func token() -> String {
        signer.unsubscribeToken(email: dana, campaign: "whitepaper-followup")
    }

    @Test(arguments: ["whitepaper-followup", "", "café ☕", String(repeating: "c", count: 200)])
    func tokenVerifiesBackToItsProspectAndCampaign(_ campaign: String) throws {
        let token = Self.signer.unsubscribeToken(email: Self.dana, campaign: campaign)
        let verified = try #require(Self.signer.verifyUnsubscribeToken(token))
        #expect(verified.email == Self.dana)
        #expect(verified.campaign == campaign)
    }

    @Test func tokenIsURLSafeAndStable() {
        let token = Self.token()
        #expect(token.wholeMatch(of: /[A-Za-z0-9_-]+/) != nil)
        #expect(token == Self.token())
        #expect(token != Self.signer.unsubscribeToken(email: Self.dana, campaign: "other"))
    }

    @Test func tokenFromAnotherSecretIsRejected() {
        let other = LinkSigner(secret: Array(repeating: 7, count: 32))
        #expect(other.verifyUnsubscribeToken(Self.token()) == nil)
    }

    @Test func everySingleCharacterChangeIsRejected() {
        let token = Array(Self.token())
        for index in token.indices {
            var altered = token
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(Self.signer.verifyUnsubscribeToken(String(altered)) == nil, "accepted a change at \(index)")
        }
    }

    @Test func truncatedOrExtendedTokenIsRejected() {
        let token = Self.token()
        for length in [0, 1, 10, 43, token.count / 2, token.count - 1] {
            #expect(Self.signer.verifyUnsubscribeToken(String(token.prefix(length))) == nil)
        }
        #expect(Self.signer.verifyUnsubscribeToken(token + "A") == nil)
        #expect(Self.signer.verifyUnsubscribeToken(token + "=") == nil)
        #expect(Self.signer.verifyUnsubscribeToken(String(token.dropFirst())) == nil)
    }

    @Test func aTokenHidesWhoItIsFor() throws {
        let bytes = try #require(Base64URL.decode(Self.token()))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("dana"), "the address must not be readable from the token")
        #expect(!text.contains("whitepaper"))
    }

    @Test func aTokenMadeFromAGuessedPayloadIsRejected() throws {
        let genuine = try #require(Base64URL.decode(Self.token()))
        let guessed = [UInt8(0x75)] + Array("ceo@prospect.example".utf8) + [0] + Array("whitepaper-followup".utf8)
        #expect(Self.signer.verifyUnsubscribeToken(Base64URL.encode(guessed + genuine.suffix(16))) == nil)
        #expect(Self.signer.verifyUnsubscribeToken(Base64URL.encode(genuine.prefix(12) + guessed)) == nil)
    }

    @Test func aClickTokenCarriesTheExactLinkAndIsNoUnsubscribeToken() throws {
        let click = LinkClick(
            email: Self.dana, campaign: "whitepaper-followup", step: "value",
            url: "https://acme.example/guide?utm_source=nurture&x=%20y#part-2")
        let token = Self.signer.clickToken(click)
        #expect(Self.signer.verifyClickToken(token) == click)
        #expect(Self.signer.verifyUnsubscribeToken(token) == nil)
        #expect(Self.signer.verifyClickToken(Self.token()) == nil)
        let other = LinkClick(
            email: Self.dana, campaign: "whitepaper-followup", step: "value", url: "https://evil.example/")
        #expect(Self.signer.clickToken(other) != token)
    }

    @Test func anIdHoldingASeparatorIsRefusedRatherThanMisread() {
        let token = Self.signer.unsubscribeToken(email: Self.dana, campaign: "with\0nul")
        #expect(Self.signer.verifyUnsubscribeToken(token) == nil)
    }

    @Test(arguments: ["", "not a token", "!!!!", "a+b/c=", "ZGFuYQ"])
    func garbageIsRejected(_ token: String) {
        #expect(Self.signer.verifyUnsubscribeToken(token) == nil)
    }
}

/// The hand-written encoder spells every length as Foundation's base64 does, with RFC 4648 §5's two letters.
struct Base64URLTests {
    @Test func everyLengthUpTo64EncodesAsFoundationDoesAndDecodesBack() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let expected = Data(bytes).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                #expect(Base64URL.encode(bytes) == expected)
                #expect(Base64URL.decode(expected) == bytes)
            }
        }
    }
}
