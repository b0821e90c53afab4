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

    /// How many bytes of pages the writing connection may keep in memory (see
    /// `prepareForBulkImport(pageCacheBytes:)`).
    func pageCacheBytes() throws -> Int {
        try wrap {
            try writer.writeWithoutTransaction { db in
                let size = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0
                // Negative: in KiB; positive: in pages.
                return size < 0 ? -size * 1024 : size * (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
            }
        }
    }

    /// Whether the writing connection has SQLite check foreign keys (see `prepareForBulkImport(pageCacheBytes:)`).
    func checksForeignKeys() throws -> Bool {
        try wrap {
            try writer.writeWithoutTransaction { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false }
        }
    }

    /// Rows whose reference points at no row (`PRAGMA foreign_key_check`), as `table row ROWID → referenced table`.
    /// Asked on the writing connection: GRDB's readers of a pool answered with nothing.
    public func danglingReferences() throws -> [String] {
        try wrap {
            try writer.writeWithoutTransaction { db in
                try Array(
                    db.foreignKeyViolations().map {
                        "\($0.originTable) row \($0.originRowID ?? 0) → \($0.destinationTable)"
                    })
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
