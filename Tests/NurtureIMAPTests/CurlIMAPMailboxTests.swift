import NurtureIMAP
import NurtureTestSupport
import Testing

/// Polling a real dovecot on loopback.
@Suite struct CurlIMAPMailboxTests {
    @Test func newMessagesArriveOnceAcrossFreshReadersGivenTheCursor() throws {
        let server = try TestIMAPServer()
        try server.deliver(IMAPFixtures.reply(1))
        try server.deliver(IMAPFixtures.reply(2))

        let first = try IMAPFixtures.mailbox(server).fetch(after: nil, limit: 10)
        #expect(first.messages.map(\.uid) == [1, 2])
        #expect(first.messages.map(\.bytes) == [IMAPFixtures.reply(1), IMAPFixtures.reply(2)])
        #expect(!first.uidValidityChanged && !first.more)
        #expect(first.cursor == MailboxCursor(uidValidity: first.uidValidity, lastUID: 2))

        try server.deliver(IMAPFixtures.reply(3))
        let second = try IMAPFixtures.mailbox(server).fetch(after: first.cursor, limit: 10)
        #expect(second.messages.map(\.uid) == [3])
        #expect(second.messages.first?.bytes == IMAPFixtures.reply(3))
        #expect(second.cursor.lastUID == 3)
    }

    @Test func aPollWithNoNewMailReturnsNothingAndKeepsTheCursor() throws {
        let server = try TestIMAPServer()
        try server.deliver(IMAPFixtures.reply(1))
        let mailbox = try IMAPFixtures.mailbox(server)
        let first = try mailbox.fetch(after: nil, limit: 10)

        // `UID SEARCH UID 2:*` still answers 1, the highest UID: it must not come back.
        let again = try mailbox.fetch(after: first.cursor, limit: 10)
        #expect(again.messages.isEmpty)
        #expect(!again.more && !again.uidValidityChanged)
        #expect(again.cursor == first.cursor)
    }

    @Test func anEmptyFolderGivesAnEmptyBatchWithItsUIDValidity() throws {
        let server = try TestIMAPServer()
        let batch = try IMAPFixtures.mailbox(server).fetch(after: nil, limit: 10)
        #expect(batch.messages.isEmpty)
        #expect(batch.uidValidity == (try server.uidValidity()))
        #expect(batch.cursor == MailboxCursor(uidValidity: batch.uidValidity, lastUID: 0))
    }

    @Test func aNewUIDValidityReturnsEveryMessageAgainAndSaysSo() throws {
        let server = try TestIMAPServer()
        try server.deliver(IMAPFixtures.reply(1))
        try server.deliver(IMAPFixtures.reply(2))
        let mailbox = try IMAPFixtures.mailbox(server)
        let before = try mailbox.fetch(after: nil, limit: 10)

        try server.changeUIDValidity(to: before.uidValidity &+ 1000)
        let after = try mailbox.fetch(after: before.cursor, limit: 10)
        #expect(after.uidValidityChanged)
        #expect(after.uidValidity == before.uidValidity &+ 1000)
        #expect(after.messages.map(\.bytes) == [IMAPFixtures.reply(1), IMAPFixtures.reply(2)])
        #expect(after.cursor == MailboxCursor(uidValidity: after.uidValidity, lastUID: 2))
    }

    @Test func theLimitCutsABatchShortAndTheNextPollGetsTheRest() throws {
        let server = try TestIMAPServer()
        for number in 1...5 { try server.deliver(IMAPFixtures.reply(number)) }
        let mailbox = try IMAPFixtures.mailbox(server)

        let first = try mailbox.fetch(after: nil, limit: 2)
        #expect(first.messages.map(\.uid) == [1, 2])
        #expect(first.more)
        let second = try mailbox.fetch(after: first.cursor, limit: 2)
        #expect(second.messages.map(\.uid) == [3, 4])
        #expect(second.more)
        let third = try mailbox.fetch(after: second.cursor, limit: 2)
        #expect(third.messages.map(\.uid) == [5])
        #expect(!third.more)
        #expect(third.messages.first?.bytes == IMAPFixtures.reply(5))
    }

    @Test func pollingLeavesEveryFlagAsItWasAndMarksNothingSeen() throws {
        let server = try TestIMAPServer()
        try server.deliver(IMAPFixtures.reply(1))
        try server.deliver(IMAPFixtures.reply(2))
        let before = try server.flags()
        #expect(before == [1: [], 2: []])

        let mailbox = try IMAPFixtures.mailbox(server)
        let batch = try mailbox.fetch(after: nil, limit: 10)
        #expect(batch.messages.count == 2)
        _ = try mailbox.fetch(after: MailboxCursor(uidValidity: batch.uidValidity, lastUID: 0), limit: 1)

        #expect(try server.flags() == before)
        // Dovecot's own account of each session: nothing deleted, expunged or moved to the trash.
        let logouts = server.log.split(separator: "\n").filter { $0.contains("Disconnected: Logged out") }
        #expect(logouts.count == 2)
        #expect(logouts.allSatisfy { $0.contains("deleted=0 expunged=0 trashed=0") })
    }

    @Test func onePollIsOneLoginOverOneConnection() throws {
        let server = try TestIMAPServer()
        for number in 1...3 { try server.deliver(IMAPFixtures.reply(number)) }
        _ = try IMAPFixtures.mailbox(server).fetch(after: nil, limit: 10)

        // EXAMINE, SEARCH and FETCH travel in one session: the folder EXAMINE opened is the one FETCH reads.
        let lines = server.log.split(separator: "\n")
        #expect(lines.filter { $0.contains("Login: user=<\(TestIMAPServer.user)>") }.count == 1)
        #expect(lines.filter { $0.contains("Disconnected: Logged out") }.count == 1)
    }

    @Test func aOneMegabyteMessageArrivesByteForByte() throws {
        let server = try TestIMAPServer()
        var message = Array("From: pat@example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n".utf8)
        // Ordinary lines, then one line of 200 kB: long lines must not be cut.
        while message.count < 800_000 {
            message += Array("\(message.count) The quick brown fox jumps over the lazy dog, again and again.\r\n".utf8)
        }
        message += Array(repeating: UInt8(ascii: "x"), count: 200_000) + Array("\r\n".utf8)
        try server.deliver(message)
        try server.deliver(IMAPFixtures.reply(2))

        let batch = try IMAPFixtures.mailbox(server).fetch(after: nil, limit: 10)
        #expect(batch.messages.count == 2)
        #expect(batch.messages.first?.bytes.count == message.count)
        #expect(batch.messages.first?.bytes == message)
        #expect(batch.messages.last?.bytes == IMAPFixtures.reply(2))
    }

    @Test func aMessageHoldingLinesThatLookLikeIMAPResponsesArrivesByteForByte() throws {
        let server = try TestIMAPServer()
        // Tags of ours (N3) and of libcurl's (A004), an untagged FETCH with a literal, a BYE: all mere content here.
        let tricky = IMAPFixtures.reply(
            1,
            body:
                "N3 OK Fetch completed.\r\nA004 OK fake\r\n* 9 FETCH (UID 99 BODY[] {3}\r\nabc)\r\n* BYE bye\r\n"
                + "N4 BAD oops\r\n{12}\r\n)")
        try server.deliver(tricky)
        try server.deliver(IMAPFixtures.reply(2))

        let mailbox = try IMAPFixtures.mailbox(server)
        let batch = try mailbox.fetch(after: nil, limit: 10)
        #expect(batch.messages.map(\.uid) == [1, 2])
        #expect(batch.messages.first?.bytes == tricky)
        #expect(batch.messages.last?.bytes == IMAPFixtures.reply(2))
        // And the connection stayed in step: the next poll works and finds nothing new.
        #expect(try mailbox.fetch(after: batch.cursor, limit: 10).messages.isEmpty)
    }

    @Test func aFolderThatDoesNotExistGivesNoSuchFolder() throws {
        let server = try TestIMAPServer()
        let mailbox = try IMAPFixtures.mailbox(server, folder: "Replies")
        let error = IMAPFixtures.imapError { () throws(IMAPError) in try mailbox.fetch(after: nil, limit: 10) }
        #expect(error?.code == .noSuchFolder)
        #expect(error?.message.contains("`Replies`") == true)
        #expect(error?.message.contains("inbox.url") == true)
    }

    @Test func aWrongPasswordGivesTheAuthCodeAndNeverShowsThePassword() throws {
        let server = try TestIMAPServer()
        let wrong = "not-the-Pa55word"
        let mailbox = try CurlIMAPMailbox(settings: IMAPFixtures.settings(server, password: wrong))
        let error = IMAPFixtures.imapError { () throws(IMAPError) in try mailbox.fetch(after: nil, limit: 10) }
        #expect(error?.code == .auth)
        #expect(error?.message.contains("inbox.user and the password file") == true)
        #expect(error?.serverResponse?.contains("AUTHENTICATIONFAILED") == true)
        #expect(error.map { !"\($0) \($0.serverResponse ?? "")".contains(wrong) } == true)
    }

    @Test func aServerThatIsNotThereGivesTheConnectCode() throws {
        let port: Int
        do {
            let server = try TestIMAPServer()
            port = server.port
        }
        let settings = IMAPSettings(
            url: "imap://127.0.0.1:\(port)/INBOX", tls: .none, user: "reader", password: "x",
            connectTimeout: .seconds(2))
        let mailbox = try CurlIMAPMailbox(settings: settings)
        let error = IMAPFixtures.imapError { () throws(IMAPError) in try mailbox.fetch(after: nil, limit: 10) }
        #expect(error?.code == .connect)
    }
}
