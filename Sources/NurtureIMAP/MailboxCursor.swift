/// Where the last poll of a folder stopped: the caller stores it and passes it to the next poll.
public struct MailboxCursor: Codable, Equatable, Sendable {
    /// The folder's UIDVALIDITY when the cursor was made. UIDs mean nothing under another one.
    public var uidValidity: UInt32
    /// The highest UID already handed out; 0 when none.
    public var lastUID: UInt32

    public init(uidValidity: UInt32, lastUID: UInt32) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
    }
}
