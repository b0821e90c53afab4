/// Reads the messages that arrived in one folder since the last poll, and never changes the folder.
public protocol MailboxReader: Sendable {
    /// The messages after `cursor` (all of them when `cursor` is nil or names another UIDVALIDITY), at most `limit`
    /// (which must be at least 1), oldest first.
    func fetch(after cursor: MailboxCursor?, limit: Int) throws(IMAPError) -> MailboxBatch
    /// The folder as it stands, reading no message: its UIDVALIDITY and highest UID (0 when empty). A reader that
    /// starts here sees only what arrives from now on, not the folder's history.
    func latest() throws(IMAPError) -> MailboxCursor
}
