import GRDB

/// What the database looks like from the inside, for `nurture status` diagnostics and the store's tests.
extension SQLiteStore {
    /// The named migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// `wal` for a database file shared by the daemon and the CLI; `memory` for `inMemory()`.
    public func journalMode() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// How many bytes of pages the writing connection may keep in memory (see `reservePageCache(bytes:)`).
    func pageCacheBytes() throws -> Int {
        try wrap {
            try writer.writeWithoutTransaction { db in
                let size = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0
                // Negative: in KiB; positive: in pages.
                return size < 0 ? -size * 1024 : size * (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
            }
        }
    }

    /// The tables, indexes and triggers of the schema, by name.
    func schemaObjectNames() throws -> Set<String> {
        try read { db in
            try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        }
    }
}
