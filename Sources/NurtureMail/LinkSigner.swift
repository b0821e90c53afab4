import Crypto
import Foundation
import NurtureCore

/// Signs and checks the tokens in unsubscribe links, so no one can unsubscribe a prospect they cannot email.
///
/// A token is base64url (no padding) of a payload and its HMAC-SHA256: it carries the prospect and the campaign
/// itself, so checking it needs only the secret, never a lookup, and it keeps working for as long as the secret.
public struct LinkSigner: Sendable {
    /// Secrets shorter than SHA-256's output weaken the MAC; `loadOrCreateSecret(at:)` refuses them.
    public static let minimumSecretLength = 32

    /// Tells unsubscribe tokens apart from any other token signed with the same secret later.
    private static let unsubscribePurpose: UInt8 = 0x75
    private static let macLength = SHA256.byteCount

    // Kept as bytes because `SymmetricKey` is not `Sendable`; making a key per call costs a copy of 32 bytes.
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// - Parameter secret: at least `minimumSecretLength` random bytes, e.g. from `loadOrCreateSecret(at:)`.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The token for `email` in `campaign`: URL-safe, to put in a link's path or query as it is.
    public func unsubscribeToken(email: EmailAddress, campaign: String) -> String {
        let payload = [Self.unsubscribePurpose] + Array(email.description.utf8) + [0] + Array(campaign.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Base64URL.encode(payload + Array(mac))
    }

    /// The prospect and campaign a token was made for, or nil if it was not made with this secret or was changed.
    ///
    /// The MAC is compared in constant time, so timing tells a forger nothing about how close a guess was.
    public func verifyUnsubscribeToken(_ token: String) -> (email: EmailAddress, campaign: String)? {
        guard let data = Base64URL.decode(token), data.count > Self.macLength + 2 else { return nil }
        let payload = data.dropLast(Self.macLength)
        let mac = data.suffix(Self.macLength)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key),
            payload.first == Self.unsubscribePurpose
        else { return nil }
        let fields = payload.dropFirst()
        // The address cannot hold NUL, so the first NUL ends it; the campaign may hold anything.
        guard let separator = fields.firstIndex(of: 0),
            let email = try? EmailAddress(String(decoding: fields[..<separator], as: UTF8.self))
        else { return nil }
        return (email, String(decoding: fields[(separator + 1)...], as: UTF8.self))
    }
}

/// RFC 4648 §5 base64url without padding, decoding only the one canonical spelling of each byte string.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
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
