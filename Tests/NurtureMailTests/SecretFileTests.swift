import Foundation
import NurtureTestSupport
import Testing

@testable import NurtureMail

@Suite struct SecretFileTests {
    @Test func missingSecretIsCreatedWith32RandomBytesMode0600InNewFolders() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("var/state/secret").path

        let secret = try LinkSigner.loadOrCreateSecret(at: path)

        #expect(secret.count == 32)
        #expect(Set(secret).count > 8)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(secret))
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: folder.url.appendingPathComponent("var/state").path)
        #expect(leftovers == ["secret"])
    }

    @Test func existingSecretIsReadBackUnchanged() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("secret").path

        let first = try LinkSigner.loadOrCreateSecret(at: path)
        let second = try LinkSigner.loadOrCreateSecret(at: path)
        #expect(first == second)

        let written = Array(repeating: UInt8(42), count: 64)
        let other = folder.url.appendingPathComponent("other").path
        try Data(written).write(to: URL(fileURLWithPath: other))
        #expect(try LinkSigner.loadOrCreateSecret(at: other) == written)
    }

    @Test func tooShortSecretIsRefusedWithAFix() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("secret").path
        try Data("short".utf8).write(to: URL(fileURLWithPath: path))

        #expect(throws: SecretFileError(path: path, problem: .tooShort(5))) {
            try LinkSigner.loadOrCreateSecret(at: path)
        }
        let message = SecretFileError(path: path, problem: .tooShort(5)).description
        #expect(message.contains(path) && message.contains("at least 32"))
    }

    @Test func unreadableSecretIsRefused() throws {
        let folder = try TemporaryFolder()

        #expect {
            try LinkSigner.loadOrCreateSecret(at: folder.path)
        } throws: { error in
            guard case .unreadable = (error as? SecretFileError)?.problem else { return false }
            return "\(error)".contains(folder.path)
        }
    }

    @Test func secretUnderAFileInsteadOfAFolderCannotBeCreated() throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)

        #expect {
            try LinkSigner.loadOrCreateSecret(at: file.appendingPathComponent("secret").path)
        } throws: { error in
            guard case .uncreatable = (error as? SecretFileError)?.problem else { return false }
            return true
        }
    }
}
