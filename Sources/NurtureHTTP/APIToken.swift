import Foundation

/// The bearer token every API call must carry, read from a file (a systemd credential in production).
public struct APIToken: Sendable {
    let bytes: [UInt8]

    /// A token from the text of its file; surrounding whitespace and newlines are not part of it.
    public init?(_ text: String) {
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // A short token is guessable; one with spaces cannot be sent as `Authorization: Bearer TOKEN`.
        guard token.utf8.count >= 16, !token.contains(where: \.isWhitespace) else { return nil }
        bytes = Array(token.utf8)
    }

    /// True when `candidate` is this token. Takes the same time wherever the first difference is, so the token
    /// cannot be found a byte at a time by timing refusals.
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        var difference: UInt8 = candidate.count == bytes.count ? 0 : 1
        var index = candidate.startIndex
        for expected in bytes {
            let byte = index < candidate.endIndex ? candidate[index] : ~expected
            difference |= byte ^ expected
            if index < candidate.endIndex { index = candidate.index(after: index) }
        }
        return difference == 0
    }

    /// Reads the token at `path`, or, when there is no file, creates one (32 random bytes as hex, mode 0600) so the
    /// local demo and the CLI share a token without set-up.
    public static func loadOrCreate(at path: String) throws(APITokenError) -> APIToken {
        if !FileManager.default.fileExists(atPath: path) {
            try create(at: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APITokenError(path: path, reason: "cannot read it; check that this user may read it")
        }
        guard let token = APIToken(String(decoding: data, as: UTF8.self)) else {
            throw APITokenError(path: path, reason: "the token must be at least 16 characters with no spaces")
        }
        return token
    }

    /// Reads the token at `path` without creating one: what a client does.
    public static func load(at path: String) throws(APITokenError) -> APIToken {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APITokenError(path: path, reason: "cannot read it")
        }
        guard let token = APIToken(String(decoding: data, as: UTF8.self)) else {
            throw APITokenError(path: path, reason: "the token must be at least 16 characters with no spaces")
        }
        return token
    }

    /// The token as the `Authorization` header carries it.
    public var headerValue: String { "Bearer " + String(decoding: bytes, as: UTF8.self) }

    private static func create(at path: String) throws(APITokenError) {
        var random = SystemRandomNumberGenerator()
        let text = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // O_EXCL: two processes starting at once must not each write a different token.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw APITokenError(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let line = Array((text + "\n").utf8)
        guard write(descriptor, line, line.count) == line.count else {
            throw APITokenError(path: path, reason: "cannot write it: \(String(cString: strerror(errno)))")
        }
    }
}

/// The token file could not be used.
public struct APITokenError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "API token file \(path): \(reason)" }
}
