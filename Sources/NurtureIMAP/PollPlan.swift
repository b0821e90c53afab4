/// Which UIDs one poll returns, given the caller's cursor and what the folder holds: the rule every
/// `MailboxReader` follows.
struct PollPlan: Equatable {
    let uidValidity: UInt32
    let uidValidityChanged: Bool
    /// The lowest UID that can be new; nil when the cursor is at the highest UID there can be.
    let firstUID: UInt32?
    private let lastUID: UInt32

    init(cursor: MailboxCursor?, uidValidity: UInt32) {
        self.uidValidity = uidValidity
        uidValidityChanged = cursor.map { $0.uidValidity != uidValidity } ?? false
        lastUID = cursor.flatMap { $0.uidValidity == uidValidity ? $0.lastUID : nil } ?? 0
        firstUID = lastUID == .max ? nil : lastUID + 1
    }

    /// The UIDs to fetch, from what a search for `firstUID:*` found. That search always includes the highest UID,
    /// even below `firstUID` (RFC 3501: `n:*` is `*:n`), so those are dropped here.
    func select(from found: [UInt32], limit: Int) -> (uids: [UInt32], more: Bool) {
        precondition(limit > 0, "a mailbox poll must allow at least one message")
        guard let firstUID else { return ([], false) }
        let new = Set(found.filter { $0 >= firstUID }).sorted()
        return (Array(new.prefix(limit)), new.count > limit)
    }

    /// The batch for `selected` UIDs, of which `messages` could still be fetched (a message expunged in between is
    /// gone: the cursor moves past it all the same).
    func batch(selected: [UInt32], more: Bool, messages: [FetchedMessage]) -> MailboxBatch {
        MailboxBatch(
            uidValidity: uidValidity,
            messages: messages.sorted { $0.uid < $1.uid },
            uidValidityChanged: uidValidityChanged,
            more: more,
            cursor: MailboxCursor(uidValidity: uidValidity, lastUID: selected.max() ?? lastUID)
        )
    }
}
