import Synchronization

/// A folder in memory, for the tests of whatever reacts to replies. It follows the same rules as
/// `CurlIMAPMailbox`: UIDs only grow, and a new UIDVALIDITY makes every message new again.
public final class MemoryMailbox: MailboxReader {
    private struct State {
        var uidValidity: UInt32
        var nextUID: UInt32 = 1
        var messages: [FetchedMessage] = []
        var failure: IMAPError?
    }

    private let state: Mutex<State>

    public init(uidValidity: UInt32 = 1) {
        state = Mutex(State(uidValidity: uidValidity))
    }

    /// Adds a message, as a delivery would; returns its UID.
    @discardableResult
    public func deliver(_ bytes: [UInt8]) -> UInt32 {
        state.withLock { state in
            let uid = state.nextUID
            state.nextUID += 1
            state.messages.append(FetchedMessage(uid: uid, bytes: bytes))
            return uid
        }
    }

    /// Removes a message, as another client's EXPUNGE would.
    public func expunge(uid: UInt32) {
        state.withLock { $0.messages.removeAll { $0.uid == uid } }
    }

    /// Renumbers the folder under a new UIDVALIDITY, as a server does when a folder is recreated.
    public func changeUIDValidity(to uidValidity: UInt32) {
        state.withLock { state in
            state.uidValidity = uidValidity
            state.messages = state.messages.enumerated().map { FetchedMessage(uid: UInt32($0 + 1), bytes: $1.bytes) }
            state.nextUID = UInt32(state.messages.count + 1)
        }
    }

    /// Makes every fetch fail with `error` (nil: succeed again).
    public func fail(with error: IMAPError?) {
        state.withLock { $0.failure = error }
    }

    public func fetch(after cursor: MailboxCursor?, limit: Int) throws(IMAPError) -> MailboxBatch {
        let snapshot = state.withLock { $0 }
        if let failure = snapshot.failure { throw failure }
        let plan = PollPlan(cursor: cursor, uidValidity: snapshot.uidValidity)
        let (selected, more) = plan.select(from: snapshot.messages.map(\.uid), limit: limit)
        let messages = snapshot.messages.filter { selected.contains($0.uid) }
        return plan.batch(selected: selected, more: more, messages: messages)
    }

    public func latest() throws(IMAPError) -> MailboxCursor {
        let snapshot = state.withLock { $0 }
        if let failure = snapshot.failure { throw failure }
        return MailboxCursor(uidValidity: snapshot.uidValidity, lastUID: snapshot.messages.map(\.uid).max() ?? 0)
    }
}
