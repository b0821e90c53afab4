import Crypto
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

    /// Tokens already sent in emails must keep working: both kinds are what the construction in `LinkSigner`'s
    /// documentation gives, worked out here with swift-crypto alone.
    @Test func tokensAreTheDocumentedConstruction() throws {
        func documented(_ purpose: UInt8, _ fields: [String]) throws -> String {
            let master = SymmetricKey(data: Self.secret)
            let sealingKey = HMAC<SHA256>.authenticationCode(for: Array("nurture link sealing".utf8), using: master)
            let nonceKey = HMAC<SHA256>.authenticationCode(for: Array("nurture link nonce".utf8), using: master)
            let payload = Array(fields.joined(separator: "\0").utf8)
            let synthetic = HMAC<SHA256>.authenticationCode(
                for: [purpose] + payload, using: SymmetricKey(data: nonceKey))
            let box = try ChaChaPoly.seal(
                payload, using: SymmetricKey(data: sealingKey),
                nonce: ChaChaPoly.Nonce(data: Array(synthetic).prefix(12)),
                authenticating: [purpose])
            return Data(box.combined).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        #expect(Self.token() == (try documented(0x75, ["dana@prospect.example", "whitepaper-followup"])))
        let click = LinkClick(email: Self.dana, campaign: "c", step: "s", url: "https://acme.example/?a=1")
        #expect(
            Self.signer.clickToken(click)
                == (try documented(0x63, ["dana@prospect.example", "c", "s", "https://acme.example/?a=1"])))
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

    /// Whoever got the email knows what a token seals (their address, the campaign, the step, the link), and a
    /// stream cipher's ciphertext changes bit for bit with its plaintext: without the tag, XOR-ing in "evil" where
    /// "acme" was would make a working redirect to another site. The tag refuses it.
    @Test func aKnownPlaintextEditOfTheSealedLinkOrAddressIsRejected() throws {
        let click = LinkClick(
            email: Self.dana, campaign: "whitepaper-followup", step: "value", url: "https://acme.example/guide")
        let token = Self.signer.clickToken(click)
        let payload = Array("dana@prospect.example\0whitepaper-followup\0value\0https://acme.example/guide".utf8)
        // The layout is right: the "edit" that changes nothing gives back the token, still valid.
        #expect(Self.xor(token, payload: payload, replacing: "acme", with: "acme") == token)
        for (original, replacement) in [
            ("https://acme.example/guide", "https://evil.example/guide"), ("dana@", "boss@"), ("value", "other"),
            ("whitepaper-followup", "another-campaign-id"),
        ] {
            let edited = try #require(Self.xor(token, payload: payload, replacing: original, with: replacement))
            #expect(Self.signer.verifyClickToken(edited) == nil, "\(original) → \(replacement) was accepted")
        }

        let unsubscribe = Self.token()
        let sealed = Array("dana@prospect.example\0whitepaper-followup".utf8)
        let other = try #require(Self.xor(unsubscribe, payload: sealed, replacing: "dana@", with: "ceo1@"))
        #expect(Self.signer.verifyUnsubscribeToken(other) == nil)
    }

    /// `token` with the bytes of `original` in its sealed `payload` changed to `replacement` (of the same length),
    /// as someone who knows the payload but not the key would do it.
    static func xor(_ token: String, payload: [UInt8], replacing original: String, with replacement: String)
        -> String?
    {
        guard var bytes = Base64URL.decode(token), bytes.count == 12 + payload.count + 16,
            let start = payload.firstRange(of: Array(original.utf8))?.lowerBound
        else { return nil }
        for (offset, (from, to)) in zip(original.utf8, replacement.utf8).enumerated() {
            bytes[12 + start + offset] ^= from ^ to
        }
        return Base64URL.encode(bytes)
    }

    @Test func everySingleBitFlipIsRejected() throws {
        let click = LinkClick(email: Self.dana, campaign: "c", step: "s", url: "https://acme.example/")
        for token in [Self.token(), Self.signer.clickToken(click)] {
            let bytes = try #require(Base64URL.decode(token))
            for index in bytes.indices {
                for bit in 0..<8 {
                    var flipped = bytes
                    flipped[index] ^= 1 << bit
                    let altered = Base64URL.encode(flipped)
                    #expect(Self.signer.verifyUnsubscribeToken(altered) == nil, "byte \(index) bit \(bit)")
                    #expect(Self.signer.verifyClickToken(altered) == nil, "byte \(index) bit \(bit)")
                }
            }
        }
    }

    /// A token carries no id and no counter: neighbours share nothing to count from, and counting gives nothing.
    @Test func tokensCannotBeEnumerated() throws {
        let tokens = (1...50).map { number in
            Self.signer.unsubscribeToken(email: Fixture.address("p\(number)@prospect.example"), campaign: "c")
        }
        #expect(Set(tokens).count == tokens.count)
        let nonces = try tokens.map { try #require(Base64URL.decode($0)).prefix(8) }
        #expect(Set(nonces.map { Array($0) }).count == tokens.count, "neighbours share the start of their nonce")
        for (number, token) in zip(1..., tokens) {
            #expect(Self.signer.verifyUnsubscribeToken(token)?.email.description == "p\(number)@prospect.example")
        }

        let length = try #require(Base64URL.decode(tokens[0])).count
        for counter in 0..<2000 {
            var guess = [UInt8](repeating: 0, count: length)
            withUnsafeBytes(of: UInt64(counter).bigEndian) { guess.replaceSubrange((length - 8)..<length, with: $0) }
            #expect(Self.signer.verifyUnsubscribeToken(Base64URL.encode(guess)) == nil, "counter \(counter)")
            #expect(Self.signer.verifyClickToken(Base64URL.encode(guess)) == nil, "counter \(counter)")
        }
    }

    /// Parts of two genuine tokens spliced together are no token: one prospect's link never works for another.
    @Test func partsOfTwoProspectsTokensDoNotMakeAThird() throws {
        let pat = Self.signer.unsubscribeToken(email: Fixture.address("pat1@prospect.example"), campaign: "c")
        let sam = Self.signer.unsubscribeToken(email: Fixture.address("sam1@prospect.example"), campaign: "c")
        let a = try #require(Base64URL.decode(pat))
        let b = try #require(Base64URL.decode(sam))
        #expect(a.count == b.count)
        // Where one token's bytes give way to the other's: after the nonce, before the tag, half way.
        for cut in [12, a.count - 16, a.count / 2] {
            let patThenSam: [UInt8] = Array(a[..<cut]) + Array(b[cut...])
            let samThenPat: [UInt8] = Array(b[..<cut]) + Array(a[cut...])
            #expect(Self.signer.verifyUnsubscribeToken(Base64URL.encode(patThenSam)) == nil, "cut at \(cut)")
            #expect(Self.signer.verifyUnsubscribeToken(Base64URL.encode(samThenPat)) == nil, "cut at \(cut)")
        }
        #expect(Self.signer.verifyUnsubscribeToken(pat)?.email.description == "pat1@prospect.example")
        #expect(Self.signer.verifyUnsubscribeToken(sam)?.email.description == "sam1@prospect.example")
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
