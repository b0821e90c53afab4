/// Where `MessageBuilder` and `LinkSigner` get their randomness; tests pass a fixed source so output is repeatable.
public protocol RandomBytesSource: Sendable {
    /// `count` bytes, unpredictable to anyone outside the process in every source but a test's.
    func randomBytes(count: Int) -> [UInt8]
}

/// The operating system's cryptographically secure generator (`getrandom` on Linux).
public struct SystemRandomBytes: RandomBytesSource {
    public init() {}

    public func randomBytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        // Eight bytes a draw: each draw is a getrandom call, and a byte a draw made 35 of them per message.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 }
        }
        return Array(bytes.prefix(count))
    }
}

extension RandomBytesSource {
    /// `byteCount` random bytes as lowercase RFC 4648 base32 without padding.
    ///
    /// Base32 because its alphabet is safe unquoted in a Message-ID, a MIME boundary and a file name alike, and a
    /// multiple of 5 bytes fills every character.
    func base32Token(byteCount: Int) -> String {
        Base32.encode(randomBytes(count: byteCount))
    }
}

enum Base32 {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)])
            }
        }
        if bitCount > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
