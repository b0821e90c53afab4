import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension LinkSigner {
    /// The signing secret kept in the file at `path`, created with 32 random bytes (mode 0600, parent folders
    /// created) the first time, so links signed before a restart still verify after it.
    ///
    /// Two processes starting at once agree on one secret: the file appears whole, by a hard link, or not at all.
    public static func loadOrCreateSecret(at path: String) throws(SecretFileError) -> [UInt8] {
        if !FileManager.default.fileExists(atPath: path) {
            if let created = try createSecret(at: path) { return created }
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SecretFileError(path: path, problem: .unreadable(Self.reason(of: error)))
        }
        guard data.count >= minimumSecretLength else {
            throw SecretFileError(path: path, problem: .tooShort(data.count))
        }
        return Array(data)
    }

    /// The new secret, or nil if another process created the file first.
    private static func createSecret(at path: String) throws(SecretFileError) -> [UInt8]? {
        let secret = SystemRandomBytes().randomBytes(count: minimumSecretLength)
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SecretFileError(path: path, problem: .uncreatable(Self.reason(of: error)))
        }
        let temporary = path + ".\(Base32.encode(SystemRandomBytes().randomBytes(count: 5))).tmp"
        defer { unlink(temporary) }
        // Created 0600 from the start: there is no moment at which another user could read the secret.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SecretFileError(path: path, problem: .uncreatable(errnoReason())) }
        let written = secret.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == secret.count, synced else {
            throw SecretFileError(path: path, problem: .uncreatable(errnoReason()))
        }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return nil }
            throw SecretFileError(path: path, problem: .uncreatable(errnoReason()))
        }
        return secret
    }

    private static func errnoReason() -> String {
        String(cString: strerror(errno))
    }

    private static func reason(of error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? error.localizedDescription
    }
}

/// The link-signing secret file could not be read or created.
public struct SecretFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// The file exists but could not be read; the system's reason.
        case unreadable(String)
        /// The file holds fewer than `LinkSigner.minimumSecretLength` bytes; how many it holds.
        case tooShort(Int)
        /// The file or its folder could not be created; the system's reason.
        case uncreatable(String)
    }

    /// The secret file's path.
    public let path: String
    public let problem: Problem

    public var description: String {
        switch problem {
        case .unreadable(let reason):
            return "cannot read the secret file \(path): \(reason); give the nurture user read access to it"
        case .tooShort(let count):
            return "the secret file \(path) holds \(count) bytes but needs at least \(LinkSigner.minimumSecretLength); "
                + "delete it to have a new one made (links already sent will stop working), or write one with "
                + "`head -c 32 /dev/urandom > \(path)`"
        case .uncreatable(let reason):
            return "cannot create the secret file \(path): \(reason); check that its folder is writable"
        }
    }
}
