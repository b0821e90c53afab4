import Foundation
import Testing

@testable import NurtureStore

/// The state database holds every prospect's address and history: only its owner may read it, whatever the umask
/// of the shell that first created it (0022 on most machines, which leaves new files readable by everyone).
@Suite("The state database is private")
struct PrivacyTests {
    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func aNewDatabaseItsWALAndItsFolderAreOwnerOnly() throws {
        let fixture = try StoreFixture()
        // A write, so SQLite has certainly made the -wal and -shm files.
        _ = try fixture.store.makeProspect("dana@acme.example")
        #expect(try Self.mode(fixture.folder.appendingPathComponent("state").path) == 0o700)
        for suffix in ["", "-wal", "-shm"] {
            #expect(try Self.mode(fixture.path + suffix) == 0o600, "nurture.sqlite\(suffix)")
        }
    }

    @Test func anExistingFolderAndDatabaseKeepTheModesTheirOwnerGaveThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: folder.path)
        let path = folder.appendingPathComponent("nurture.sqlite").path
        try SQLiteStore(path: path).close()
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)

        _ = try SQLiteStore(path: path).makeProspect("dana@acme.example")
        #expect(try Self.mode(folder.path) == 0o750)
        #expect(try Self.mode(path) == 0o640)
    }
}
