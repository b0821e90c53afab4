import Foundation
import NurtureIMAP
import Testing

@Suite struct MemoryMailboxTests {
    private let message: [UInt8] = Array("Subject: hi\r\n\r\nhello\r\n".utf8)

    @Test func itFollowsTheSameCursorRulesAsTheRealReader() throws {
        let mailbox = MemoryMailbox(uidValidity: 7)
        mailbox.deliver(message)
        mailbox.deliver(message)
        mailbox.deliver(message)

        let first = try mailbox.fetch(after: nil, limit: 2)
        #expect(first.messages.map(\.uid) == [1, 2])
        #expect(first.more)
        #expect(first.cursor == MailboxCursor(uidValidity: 7, lastUID: 2))
        let second = try mailbox.fetch(after: first.cursor, limit: 2)
        #expect(second.messages.map(\.uid) == [3])
        #expect(!second.more)
        #expect(try mailbox.fetch(after: second.cursor, limit: 2).messages.isEmpty)
    }

    @Test func aNewUIDValidityHandsEverythingOutAgain() throws {
        let mailbox = MemoryMailbox(uidValidity: 7)
        mailbox.deliver(message)
        let before = try mailbox.fetch(after: nil, limit: 10)
        mailbox.changeUIDValidity(to: 8)
        let after = try mailbox.fetch(after: before.cursor, limit: 10)
        #expect(after.uidValidityChanged)
        #expect(after.messages.map(\.uid) == [1])
        #expect(after.cursor == MailboxCursor(uidValidity: 8, lastUID: 1))
    }

    @Test func aCursorAtTheLastPossibleUIDFindsNothingNew() throws {
        let mailbox = MemoryMailbox(uidValidity: 7)
        mailbox.deliver(message)
        let batch = try mailbox.fetch(after: MailboxCursor(uidValidity: 7, lastUID: .max), limit: 10)
        #expect(batch.messages.isEmpty)
        #expect(batch.cursor.lastUID == .max)
    }

    @Test func anInjectedFailureIsThrownUntilCleared() throws {
        let mailbox = MemoryMailbox()
        mailbox.fail(with: IMAPError(.auth, "refused"))
        #expect(throws: IMAPError(.auth, "refused")) { try mailbox.fetch(after: nil, limit: 1) }
        mailbox.fail(with: nil)
        #expect(try mailbox.fetch(after: nil, limit: 1).messages.isEmpty)
    }

    @Test func theCursorRoundTripsThroughJSON() throws {
        let cursor = MailboxCursor(uidValidity: 1_795_453_833, lastUID: 42)
        let data = try JSONEncoder().encode(cursor)
        #expect(try JSONDecoder().decode(MailboxCursor.self, from: data) == cursor)
    }
}
