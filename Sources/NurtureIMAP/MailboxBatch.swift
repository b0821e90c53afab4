/// One message as the server stores it.
public struct FetchedMessage: Equatable, Sendable {
    public let uid: UInt32
    /// The whole RFC 5322 message, byte for byte.
    public let bytes: [UInt8]

    public init(uid: UInt32, bytes: [UInt8]) {
        self.uid = uid
        self.bytes = bytes
    }
}

/// What one poll found: the messages that arrived after the cursor, oldest (lowest UID) first.
public struct MailboxBatch: Equatable, Sendable {
    /// The folder's UIDVALIDITY now.
    public let uidValidity: UInt32
    public let messages: [FetchedMessage]
    /// True when the cursor's UIDVALIDITY differs from the server's: the old UIDs mean nothing, so every message in
    /// the folder is returned again from UID 1. Dedupe them by Message-ID.
    public let uidValidityChanged: Bool
    /// True when the limit cut the batch short: poll again (with `cursor`) for the rest.
    public let more: Bool
    /// The cursor to pass to the next poll: it covers every message of this batch.
    public let cursor: MailboxCursor

    public init(
        uidValidity: UInt32, messages: [FetchedMessage], uidValidityChanged: Bool, more: Bool, cursor: MailboxCursor
    ) {
        self.uidValidity = uidValidity
        self.messages = messages
        self.uidValidityChanged = uidValidityChanged
        self.more = more
        self.cursor = cursor
    }
}
