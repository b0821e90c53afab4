import NurtureCurl

/// Reads one IMAP folder with libcurl, strictly read-only: EXAMINE (never SELECT), `UID SEARCH`, and
/// `UID FETCH ... BODY.PEEK[]` (never `BODY[]`, which sets \Seen). No STORE, no EXPUNGE.
///
/// Each poll is one connection: connect, log in, read, log out. Polls through one mailbox may run at once.
public final class CurlIMAPMailbox: MailboxReader {
    public let settings: IMAPSettings
    private let checked: CheckedIMAPSettings

    /// Checks the settings; connects only when polled.
    public init(settings: IMAPSettings) throws(IMAPConfigurationError) {
        checked = try settings.checked()
        self.settings = settings
        do {
            _ = try CurlHandle()
        } catch {
            throw IMAPConfigurationError(.libcurlUnavailable, error.message)
        }
    }

    public func fetch(after cursor: MailboxCursor?, limit: Int) throws(IMAPError) -> MailboxBatch {
        precondition(limit > 0, "a mailbox poll must allow at least one message")
        let connection = try IMAPConnection(checked)
        let uidValidity = try examine(on: connection)
        let plan = PollPlan(cursor: cursor, uidValidity: uidValidity)
        guard let firstUID = plan.firstUID else {
            connection.close()
            return plan.batch(selected: [], more: false, messages: [])
        }
        let found = try search(from: firstUID, on: connection)
        let (selected, more) = plan.select(from: found, limit: limit)
        let messages = selected.isEmpty ? [] : try fetchMessages(selected, on: connection)
        connection.close()
        return plan.batch(selected: selected, more: more, messages: messages)
    }

    public func latest() throws(IMAPError) -> MailboxCursor {
        let connection = try IMAPConnection(checked)
        let uidValidity = try examine(on: connection)
        let highest = try search(from: 1, on: connection).max() ?? 0
        connection.close()
        return MailboxCursor(uidValidity: uidValidity, lastUID: highest)
    }

    private var folder: String { checked.endpoint.folder }

    /// Opens the folder read-only; its UIDVALIDITY.
    private func examine(on connection: IMAPConnection) throws(IMAPError) -> UInt32 {
        let (responses, completion) = try connection.run(.examine(folder: folder))
        let said = connection.redacted("\(completion.status.rawValue) \(completion.text)")
        switch completion.status {
        case .ok:
            break
        case .no where [nil, "NONEXISTENT", "NOPERM"].contains(completion.responseCode):
            throw IMAPError(
                .noSuchFolder,
                "the IMAP server has no folder `\(folder)` that we may read (\(said)); name an existing folder in "
                    + "inbox.url, e.g. imaps://host/INBOX",
                serverResponse: said)
        case .no, .bad:
            throw IMAPError(
                .protocol, "the IMAP server refused to open `\(folder)` read-only: \(said)", serverResponse: said)
        }
        // EXAMINE must open the folder read-only (RFC 3501 6.3.2); a server that says otherwise is not trusted.
        guard completion.responseCode != "READ-WRITE" else {
            throw IMAPError(
                .protocol, "the IMAP server opened `\(folder)` for writing in answer to EXAMINE; refusing to read it",
                serverResponse: said)
        }
        guard let uidValidity = responses.lazy.compactMap(\.uidValidity).last else {
            throw IMAPError(
                .protocol, "the IMAP server gave no UIDVALIDITY for `\(folder)`, so new mail cannot be told from old")
        }
        return uidValidity
    }

    private func search(from firstUID: UInt32, on connection: IMAPConnection) throws(IMAPError) -> [UInt32] {
        let (responses, completion) = try connection.run(.searchUIDs(from: firstUID))
        try expectOK(completion, of: .searchUIDs(from: firstUID), on: connection)
        return responses.compactMap(\.searchResults).flatMap { $0 }
    }

    private func fetchMessages(_ uids: [UInt32], on connection: IMAPConnection) throws(IMAPError) -> [FetchedMessage] {
        let command = IMAPCommand.fetchMessages(uids: uids)
        let (responses, completion) = try connection.run(command)
        try expectOK(completion, of: command, on: connection)
        let wanted = Set(uids)
        var messages: [UInt32: FetchedMessage] = [:]
        // Only the UIDs asked for: a server may also report other messages on its own.
        for message in responses.lazy.compactMap(\.fetchedMessage) where wanted.contains(message.uid) {
            messages[message.uid] = message
        }
        return Array(messages.values)
    }

    private func expectOK(
        _ completion: IMAPCompletion, of command: IMAPCommand, on connection: IMAPConnection
    ) throws(IMAPError) {
        guard completion.status != .ok else { return }
        let said = connection.redacted("\(completion.status.rawValue) \(completion.text)")
        throw IMAPError(
            .protocol, "the IMAP server refused \(command.name) in `\(folder)`: \(said)", serverResponse: said)
    }
}
