import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The store on one SQLite file, shared by the daemon and the CLI.
///
/// WAL mode lets readers run while one process writes; every write is an `IMMEDIATE` transaction that waits
/// up to `busyTimeout` for another process to finish, so two processes never interleave inside one call.
public struct SQLiteStore: NurtureStore {
    /// How long a call waits for another process's write before failing with `StoreError.Code.busy`.
    public static let busyTimeout: TimeInterval = 5

    let writer: any DatabaseWriter
    /// The file, or `:memory:`; for error messages.
    public let path: String

    /// Opens (creating it and its folder if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            // The database holds every prospect's address and history: owner-only, whatever the umask is (a CLI
            // command run from a shell may be the first to create the state folder).
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(
                .cannotOpen,
                "cannot create the folder \(folder.path) for the state database: \(Self.reason(error)); "
                    + "check `state:` in the configuration and the folder's permissions",
                underlying: error)
        }
        Self.createPrivately(path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration)
            // GRDB picks synchronous=NORMAL for WAL, which can lose the last commits on power loss. FULL makes
            // "recorded as in flight before SMTP" hold even then, for one fsync per transaction.
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw StoreError(
                .cannotOpen,
                "cannot open the state database at \(path): \(Self.reason(error)); "
                    + "check `state:` in the configuration and that the file is a Nurture database",
                underlying: error)
        }
        try self.init(writer: pool, path: path)
    }

    /// Creates an empty file at `path`, mode 0600, unless there is one. SQLite would create it 0644 less the umask,
    /// and it gives the `-wal` and `-shm` files the database's own mode, so this keeps all three private. A file
    /// that already exists keeps its mode; a failure here is left for SQLite to report.
    private static func createPrivately(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        // Qualified: inside the store, `close` is the store's own method.
        #if canImport(Glibc)
            if descriptor >= 0 { Glibc.close(descriptor) }
        #elseif canImport(Darwin)
            if descriptor >= 0 { Darwin.close(descriptor) }
        #endif
    }

    /// Readies the connection that writes for a bulk import (`nurture import`, and nothing else in its process):
    ///
    /// - it may keep up to `pageCacheBytes` of the database's pages in memory, instead of SQLite's 2 MB: each
    ///   transaction of an import touches most of the email index, and with the default the pages are read back
    ///   and spilled to the WAL many times over within one transaction;
    /// - SQLite stops looking up each new enrollment's prospect and each first step's enrollment (about 7 % of a
    ///   million). `importProspects` only refers to rows it inserted in the same transaction or read back in it,
    ///   and no import deletes anything, so there is nothing for the check to catch or a cascade to do; the
    ///   import's tests run `PRAGMA foreign_key_check` to hold it to that.
    public func prepareForBulkImport(pageCacheBytes: Int) throws {
        try wrap {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = \(-(pageCacheBytes / 1024))")
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
            }
        }
    }

    /// A private database in memory, for tests of the logic above the store.
    public static func inMemory() throws -> SQLiteStore {
        do {
            return try SQLiteStore(writer: DatabaseQueue(configuration: configuration), path: ":memory:")
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot create an in-memory database: \(reason(error))", underlying: error)
        }
    }

    private init(writer: any DatabaseWriter, path: String) throws {
        self.writer = writer
        self.path = path
        try migrate()
    }

    /// Closes the connections; later calls fail. Without it they close when the last copy of the store goes.
    public func close() throws {
        try wrap { try writer.close() }
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "NurtureStore"
        return configuration
    }

    private func migrate() throws {
        let migrator = Schema.migrator
        do {
            if try writer.read(migrator.hasBeenSuperseded) {
                throw StoreError(
                    .newerSchema,
                    "the state database at \(path) was written by a newer version of Nurture; "
                        + "upgrade Nurture, or point `state:` at another folder")
            }
            do {
                try migrator.migrate(writer)
            } catch {
                // Two processes opening a new file at once can both try the first migration; the loser finds
                // it applied on a second look.
                try migrator.migrate(writer)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                .migrationFailed,
                "cannot update the schema of the state database at \(path): \(Self.reason(error)); "
                    + "restore a backup, or point `state:` at another folder",
                underlying: error)
        }
    }

    // MARK: Transactions

    /// One write transaction, with SQLite's errors turned into `StoreError`s that say what to do. Inside
    /// `grouped`, a savepoint of the group's transaction instead.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        if let group = GroupTransaction.current(of: writer) { return try wrap { try group.savepoint(updates) } }
        return try wrap { try writer.write(updates) }
    }

    /// One read transaction (a snapshot), with errors turned into `StoreError`s. Inside `grouped`, the group's
    /// transaction, which sees the group's changes so far.
    ///
    /// - Parameter oneStatement: the body runs one statement, which SQLite reads from one snapshot of its own, so
    ///   it needs no transaction around it (GRDB's `read` compiles and runs a `BEGIN` and a `COMMIT` for every
    ///   call). For the reads on every send (is the enrollment still active? which message does a reply in the
    ///   thread answer?) and on every turn of the scheduler's timer.
    func read<T>(oneStatement: Bool = false, _ value: (Database) throws -> T) throws -> T {
        if let group = GroupTransaction.current(of: writer) { return try wrap { try value(group.database) } }
        return try wrap { oneStatement ? try writer.unsafeRead(value) : try writer.read(value) }
    }

    public func grouped<T>(_ body: () throws -> T) throws -> T {
        if GroupTransaction.current(of: writer) != nil { return try body() }
        // The body's own errors come out as they are; only the transaction's are the store's to explain.
        var outcome: Result<T, any Error>?
        try wrap {
            do {
                try writer.write { db in
                    outcome = Result { try GroupTransaction.run(db, of: writer, body) }
                    if case .failure = outcome { throw RollBack() }
                }
            } catch is RollBack {}
        }
        return try outcome!.get()
    }

    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw StoreError(
                .busy,
                "the state database at \(path) stayed locked by another process for over "
                    + "\(Int(Self.busyTimeout)) seconds; retry, or look for a stuck `nurture` process",
                underlying: error)
        } catch {
            throw StoreError(
                .databaseFailure,
                "the state database at \(path) failed: \(Self.reason(error)); check the disk and the file",
                underlying: error)
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return (error as NSError).localizedDescription
    }
}

/// Thrown out of GRDB's transaction to roll a group back when its body failed.
private struct RollBack: Error {}

/// The write transaction `grouped` holds open on this thread, found by the store calls made inside it. Only the
/// thread that opened it sees it, and only while GRDB's writer is held, which is what makes it safe to keep here.
///
/// Kept under a POSIX thread-specific key, not in `Thread.current.threadDictionary`: every store call looks, and
/// the dictionary's bridged string keys cost about 3 % of a send's CPU.
private final class GroupTransaction {
    let database: Database
    private let writer: ObjectIdentifier
    /// The group of another store this thread had open when this one opened (unusual: one store per process).
    private let enclosing: GroupTransaction?

    private init(database: Database, writer: ObjectIdentifier, enclosing: GroupTransaction?) {
        self.database = database
        self.writer = writer
        self.enclosing = enclosing
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no POSIX thread-specific key left")
        return key
    }()

    /// This thread's innermost group; it is retained by `run`, which is on the stack while it is set.
    private static var innermost: GroupTransaction? {
        pthread_getspecific(threadKey).map { Unmanaged<GroupTransaction>.fromOpaque($0).takeUnretainedValue() }
    }

    static func current(of writer: any DatabaseWriter) -> GroupTransaction? {
        let id = ObjectIdentifier(writer)
        var group = innermost
        while let candidate = group, candidate.writer != id { group = candidate.enclosing }
        return group
    }

    /// One write of the group, in a savepoint: a write that fails undoes its own changes and nothing else of the
    /// group, which goes on. GRDB's `inSavepoint` compiles its `SAVEPOINT` and `RELEASE` again for every call (two
    /// writes on every send); these statements are compiled once for the connection.
    func savepoint<T>(_ updates: (Database) throws -> T) throws -> T {
        try database.cachedStatement(sql: "SAVEPOINT nurture").execute()
        do {
            let result = try updates(database)
            try database.cachedStatement(sql: "RELEASE nurture").execute()
            return result
        } catch {
            // Should the error have ended the whole transaction, there is no savepoint left, and the group's commit
            // reports it.
            if database.isInsideTransaction {
                try? database.cachedStatement(sql: "ROLLBACK TO nurture").execute()
                try? database.cachedStatement(sql: "RELEASE nurture").execute()
            }
            throw error
        }
    }

    static func run<T>(_ database: Database, of writer: any DatabaseWriter, _ body: () throws -> T) throws -> T {
        let group = GroupTransaction(database: database, writer: ObjectIdentifier(writer), enclosing: innermost)
        pthread_setspecific(threadKey, Unmanaged.passUnretained(group).toOpaque())
        defer {
            pthread_setspecific(threadKey, group.enclosing.map { Unmanaged.passUnretained($0).toOpaque() })
            withExtendedLifetime(group) {}
        }
        return try body()
    }
}
