import Crypto
import Foundation
import NurtureCore

/// Makes and checks the tokens in unsubscribe and click links, so no one can unsubscribe a prospect they cannot
/// email, send a click to a URL we did not send, or learn who a link belongs to.
///
/// A token is base64url (no padding) of `nonce ‖ ciphertext ‖ tag`: the payload (the prospect's address, the
/// campaign and, for a click, the step and URL) sealed with ChaCha20-Poly1305 under a key derived from the
/// secret. It reads as noise (an address in a proxy log is nobody's business), checking it needs only the secret,
/// never a lookup, and any change to it fails the tag. The nonce is an HMAC of the payload (a synthetic IV), so
/// the same link always gets the same token and messages stay reproducible; that reveals only that two links are
/// the same link. The purpose is authenticated too: an unsubscribe token is never a valid click token.
public struct LinkSigner: Sendable {
    /// Secrets shorter than SHA-256's output weaken the keys; `loadOrCreateSecret(at:)` refuses them.
    public static let minimumSecretLength = 32

    enum Purpose: UInt8 {
        case unsubscribe = 0x75
        case click = 0x63
    }

    private static let nonceLength = 12
    private static let tagLength = 16

    private let keys: Keys

    /// The derived keys, made once: every message seals a token for its unsubscribe link and one for each tracked
    /// link, and making a `SymmetricKey` and keying an HMAC for each was a quarter of sealing one.
    /// `@unchecked` because swift-crypto does not mark its keys `Sendable`; these are never changed after `init`,
    /// and each seal keys a copy of `nonce` (a value) of its own.
    private final class Keys: @unchecked Sendable {
        let sealing: SymmetricKey
        let nonce: HMAC<SHA256>

        init(secret: [UInt8]) {
            let master = SymmetricKey(data: secret)
            sealing = SymmetricKey(
                data: HMAC<SHA256>.authenticationCode(for: Array("nurture link sealing".utf8), using: master))
            nonce = HMAC<SHA256>(
                key: SymmetricKey(
                    data: HMAC<SHA256>.authenticationCode(for: Array("nurture link nonce".utf8), using: master)))
        }
    }

    /// - Parameter secret: at least `minimumSecretLength` random bytes, e.g. from `loadOrCreateSecret(at:)`.
    public init(secret: [UInt8]) {
        keys = Keys(secret: secret)
    }

    /// The token for `email` in `campaign`: URL-safe, to put in a link's path as it is.
    public func unsubscribeToken(email: EmailAddress, campaign: String) -> String {
        seal(Self.fields([email.description, campaign]), for: .unsubscribe)
    }

    /// The prospect and campaign a token was made for, or nil if it was not made with this secret, was changed,
    /// or is some other kind of token.
    public func verifyUnsubscribeToken(_ token: String) -> (email: EmailAddress, campaign: String)? {
        guard let fields = open(token, for: .unsubscribe).flatMap({ Self.split($0, count: 2) }),
            let email = try? EmailAddress(fields[0])
        else { return nil }
        return (email, fields[1])
    }

    /// The token of a tracked link: which prospect clicked what, in which step.
    public func clickToken(_ click: LinkClick) -> String {
        seal(Self.fields([click.email.description, click.campaign, click.step, click.url]), for: .click)
    }

    public func verifyClickToken(_ token: String) -> LinkClick? {
        guard let fields = open(token, for: .click).flatMap({ Self.split($0, count: 4) }),
            let email = try? EmailAddress(fields[0])
        else { return nil }
        return LinkClick(email: email, campaign: fields[1], step: fields[2], url: fields[3])
    }

    private func seal(_ payload: [UInt8], for purpose: Purpose) -> String {
        var hmac = keys.nonce
        hmac.update(data: [purpose.rawValue])
        hmac.update(data: payload)
        let synthetic = hmac.finalize()
        // Cannot fail: the nonce has ChaCha20-Poly1305's length.
        let nonce = try! ChaChaPoly.Nonce(data: Array(synthetic.prefix(Self.nonceLength)))
        let box = try! ChaChaPoly.seal(payload, using: keys.sealing, nonce: nonce, authenticating: [purpose.rawValue])
        return Base64URL.encode(Array(box.combined))
    }

    private func open(_ token: String, for purpose: Purpose) -> [UInt8]? {
        guard let bytes = Base64URL.decode(token), bytes.count >= Self.nonceLength + Self.tagLength,
            let box = try? ChaChaPoly.SealedBox(combined: bytes),
            let payload = try? ChaChaPoly.open(
                box, using: keys.sealing, authenticating: [purpose.rawValue])
        else { return nil }
        return Array(payload)
    }

    /// NUL-separated: an address, a campaign or step id and a URL cannot hold NUL... and if a campaign id ever
    /// did, `split` would see too many fields and refuse the token rather than misread it.
    private static func fields(_ values: [String]) -> [UInt8] {
        Array(values.joined(separator: "\0").utf8)
    }

    private static func split(_ payload: [UInt8], count: Int) -> [String]? {
        let parts = payload.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == count else { return nil }
        return parts.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A tracked link: `/c/TOKEN` redirects to `url` and records that `email` clicked it in `step` of `campaign`.
public struct LinkClick: Sendable, Hashable {
    public let email: EmailAddress
    public let campaign: String
    public let step: String
    /// Exactly the link the template had, after Mustache: where the redirect goes, and nowhere else.
    public let url: String

    public init(email: EmailAddress, campaign: String, step: String, url: String) {
        self.email = email
        self.campaign = campaign
        self.step = step
        self.url = url
    }
}

/// RFC 4648 §5 base64url without padding, decoding only the one canonical spelling of each byte string.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// By hand: three string replacements over Foundation's base64 were a twentieth of a send's CPU.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var group = 0
            for (offset, byte) in chunk.enumerated() { group |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[(group >> (18 - 6 * position)) & 0x3F]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabet(_:)) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let bytes = Array(data)
        // Unused low bits in the last character would let two spellings carry one token; accept only ours.
        return encode(bytes) == text ? bytes : nil
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
