import Foundation

/// Why the state database could not do what was asked, and what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The file could not be created or opened (folder, permissions, not a database).
        case cannotOpen
        /// The schema could not be brought up to date.
        case migrationFailed
        /// The database was written by a newer Nurture that this one does not understand.
        case newerSchema
        /// Another process held the database longer than the busy timeout.
        case busy
        /// The prospect, enrollment or delivery named by the caller does not exist.
        case notFound
        /// A stored value this version cannot read (hand edits, or a newer Nurture).
        case unreadableValue
        /// Any other SQLite failure (disk full, I/O error, corruption).
        case databaseFailure
    }

    public let code: Code
    /// One line that says what went wrong and what to do.
    public let message: String
    /// The SQLite (GRDB) or file-system error behind it, if any.
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
