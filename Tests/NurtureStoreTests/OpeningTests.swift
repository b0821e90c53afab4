import Foundation
import Testing

@testable import NurtureStore

@Suite("Opening the state database")
struct OpeningTests {
    @Test func migrationsCreateTheSchema() throws {
        let fixture = try StoreFixture()
        #expect(try fixture.store.appliedMigrations().count == Schema.migrator.migrations.count)
        let names = try fixture.store.schemaObjectNames()
        for table in ["prospects", "enrollments", "due_sends", "deliveries", "events", "suppressions"] {
            #expect(names.contains(table), "missing table \(table)")
        }
        for index in [
            "enrollments_one_live_per_campaign", "due_sends_ready", "due_sends_by_due_at", "deliveries_once_per_step",
        ] {
            #expect(names.contains(index), "missing index \(index)")
        }
    }

    @Test func reopeningKeepsTheDataAndAppliesNothingTwice() throws {
        let fixture = try StoreFixture()
        let prospect = try fixture.store.makeProspect("dana@acme.example", attributes: ["first_name": "Dana"])
        try fixture.store.enrolled(prospect, in: "welcome")
        try fixture.store.close()

        let reopened = try fixture.openAgain()
        #expect(try reopened.appliedMigrations() == Schema.migrator.migrations)
        #expect(try reopened.prospect(id: prospect.id) == prospect)
        #expect(try reopened.enrollments(prospectID: prospect.id).map(\.campaignID) == ["welcome"])
        #expect(try reopened.dueSend(enrollmentID: 1)?.dueAt == at(0))
    }

    @Test func aFileDatabaseIsInWALModeSoTheCLIAndTheDaemonCanShareIt() throws {
        let fixture = try StoreFixture()
        #expect(try fixture.store.journalMode() == "wal")
        #expect(try fixture.openAgain().journalMode() == "wal")
    }

    @Test func aBulkImportGivesTheWriterALargerPageCacheAndNoForeignKeyLookups() throws {
        let fixture = try StoreFixture()
        let standard = try fixture.store.pageCacheBytes()
        #expect(try fixture.store.checksForeignKeys())
        try fixture.store.prepareForBulkImport(pageCacheBytes: 64 << 20)
        #expect(standard < 64 << 20)
        #expect(try fixture.store.pageCacheBytes() == 64 << 20)
        #expect(try fixture.store.checksForeignKeys() == false)
    }

    @Test func aReferenceToNothingIsFoundByTheCheck() throws {
        let fixture = try StoreFixture()
        try fixture.store.prepareForBulkImport(pageCacheBytes: 2 << 20)
        #expect(try fixture.store.danglingReferences() == [])
        try fixture.store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO enrollments (id, prospect_id, campaign_id, status, enrolled_at)
                    VALUES (1, 42, 'c', 'active', 0)
                    """)
        }
        let found = try fixture.store.danglingReferences()
        #expect(found == ["enrollments row 1 → prospects"], "\(found)")
    }

    @Test func theFolderIsCreatedWhenMissing() throws {
        let fixture = try StoreFixture()
        #expect(FileManager.default.fileExists(atPath: fixture.path))
    }

    @Test func anUnusablePathSaysWhereToLook() throws {
        let fixture = try StoreFixture()
        // A folder cannot be made under a regular file.
        let blocked = fixture.path + "/inside/nurture.sqlite"
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: blocked) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.message.contains("check `state:` in the configuration") == true)
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let fixture = try StoreFixture()
        let bogus = fixture.folder.appendingPathComponent("not-a-database.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: bogus)
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: bogus.path) }
        #expect(error?.message.contains(bogus.path) == true)
    }

    @Test func anInMemoryStoreHasTheSameSchema() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.appliedMigrations() == Schema.migrator.migrations)
        #expect(try store.schemaObjectNames() == StoreFixture().store.schemaObjectNames())
    }
}
