/// Reads the messages that arrived in one folder since the last poll, and never changes the folder.
public protocol MailboxReader: Sendable {
    /// The messages after `cursor` (all of them when `cursor` is nil or names another UIDVALIDITY), at most `limit`
    /// (which must be at least 1), oldest first.
    func fetch(after cursor: MailboxCursor?, limit: Int) throws(IMAPError) -> MailboxBatch
}
