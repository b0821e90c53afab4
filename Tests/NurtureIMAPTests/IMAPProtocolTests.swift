import Testing

@testable import NurtureIMAP

/// The wire format, without a server: what we send and how answers are cut apart.
@Suite struct IMAPProtocolTests {
    @Test func theOnlyCommandsAreReadOnlyAndFetchPeeks() {
        #expect(IMAPCommand.examine(folder: "INBOX").wire == "EXAMINE \"INBOX\"")
        #expect(IMAPCommand.examine(folder: "Sent \"x\" \\y").wire == "EXAMINE \"Sent \\\"x\\\" \\\\y\"")
        #expect(IMAPCommand.searchUIDs(from: 5).wire == "UID SEARCH UID 5:*")
        #expect(IMAPCommand.fetchMessages(uids: [9, 4, 5, 6]).wire == "UID FETCH 4:6,9 (UID BODY.PEEK[])")
        #expect(IMAPCommand.logout.wire == "LOGOUT")
    }

    @Test func aLiteralIsReadByItsCountWhateverItHolds() throws {
        var reader = IMAPResponseReader()
        let body = Array("N2 OK done\r\n* 1 FETCH (BODY[] {3}\r\n)\r\n".utf8)
        reader.append(
            Array("* 1 FETCH (UID 9 BODY[] {\(body.count)}\r\n".utf8) + body + Array(")\r\nN2 OK Fetch\r\n".utf8))

        let fetch = try #require(try reader.next())
        #expect(fetch.fetchedMessage == FetchedMessage(uid: 9, bytes: body))
        let done = try #require(try reader.next())
        #expect(done.completion(for: "N2") == IMAPCompletion(status: .ok, text: "Fetch"))
        #expect(try reader.next() == nil)
    }

    @Test func aResponseSplitAnywhereIsPutBackTogether() throws {
        let body = Array("a\r\nb\r\n".utf8)
        let wire = Array("* 3 FETCH (UID 12 BODY[] {\(body.count)}\r\n".utf8) + body + Array(" FLAGS ())\r\n".utf8)
        for split in 1..<wire.count {
            var reader = IMAPResponseReader()
            reader.append(wire[..<split])
            if let early = try reader.next() { Issue.record("a response after \(split) bytes: \(early)") }
            reader.append(wire[split...])
            let response = try #require(try reader.next())
            #expect(response.fetchedMessage == FetchedMessage(uid: 12, bytes: body))
        }
    }

    @Test func untaggedStatusAndSearchResponsesAreUnderstood() throws {
        var reader = IMAPResponseReader()
        reader.append(Array("* OK [UIDVALIDITY 1795453833] UIDs valid\r\n* SEARCH 4 5 9\r\n* SEARCH\r\n".utf8))
        #expect(try reader.next()?.uidValidity == 1_795_453_833)
        #expect(try reader.next()?.searchResults == [4, 5, 9])
        #expect(try reader.next()?.searchResults == [])
    }

    @Test func aFetchWithoutTheBodyIsNotAMessage() throws {
        var reader = IMAPResponseReader()
        reader.append(Array("* 2 FETCH (UID 7 FLAGS (\\Seen))\r\n".utf8))
        #expect(try reader.next()?.fetchedMessage == nil)
    }

    @Test func anAbsurdLiteralIsRefused() {
        var reader = IMAPResponseReader()
        reader.append(Array("* 1 FETCH (BODY[] {999999999999}\r\n".utf8))
        #expect(throws: IMAPFramingError.self) { try reader.next() }
    }

    @Test func theSearchQuirkIsFilteredOut() {
        let plan = PollPlan(cursor: MailboxCursor(uidValidity: 3, lastUID: 9), uidValidity: 3)
        #expect(plan.select(from: [9], limit: 10).uids == [])
        #expect(plan.select(from: [12, 10, 11], limit: 2) == ([10, 11], true))
    }
}
