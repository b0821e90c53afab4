/// Every command Nurture sends once logged in. There is no case for SELECT, STORE, EXPUNGE, COPY, MOVE, APPEND or a
/// `BODY[]` fetch (which sets \Seen): the reader cannot change the mailbox because it cannot say how.
enum IMAPCommand: Equatable {
    /// Opens the folder read-only.
    case examine(folder: String)
    /// The UIDs from `from` up, plus the highest UID whatever it is (see `PollPlan`).
    case searchUIDs(from: UInt32)
    /// The whole messages, without setting \Seen.
    case fetchMessages(uids: [UInt32])
    case logout

    /// The command after its tag, without the line end.
    var wire: String {
        switch self {
        case .examine(let folder): "EXAMINE \(Self.quoted(folder))"
        case .searchUIDs(let from): "UID SEARCH UID \(from):*"
        case .fetchMessages(let uids): "UID FETCH \(Self.sequenceSet(uids)) (UID BODY.PEEK[])"
        case .logout: "LOGOUT"
        }
    }

    /// How the command reads in an error message.
    var name: String {
        switch self {
        case .examine: "EXAMINE"
        case .searchUIDs: "UID SEARCH"
        case .fetchMessages: "UID FETCH"
        case .logout: "LOGOUT"
        }
    }

    /// An IMAP quoted string; `IMAPEndpoint` has made sure the folder holds printable ASCII only.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// `4:6,9` for 4, 5, 6 and 9: runs of consecutive UIDs keep the line short.
    static func sequenceSet(_ uids: [UInt32]) -> String {
        var runs: [String] = []
        var sorted = Set(uids).sorted()[...]
        while let first = sorted.popFirst() {
            var last = first
            while let next = sorted.first, last < .max, next == last + 1 {
                last = next
                sorted = sorted.dropFirst()
            }
            runs.append(first == last ? "\(first)" : "\(first):\(last)")
        }
        return runs.joined(separator: ",")
    }
}
