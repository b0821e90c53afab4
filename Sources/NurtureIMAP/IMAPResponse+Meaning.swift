/// How a command ended: the tagged response.
struct IMAPCompletion: Equatable {
    enum Status: String {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
    }

    let status: Status
    /// The rest of the line, e.g. `[READ-ONLY] Examine completed.`
    let text: String

    /// The response code in brackets at the start of `text`, upper-cased: `READ-ONLY`, `NONEXISTENT`.
    var responseCode: String? {
        guard text.hasPrefix("["), let close = text.firstIndex(of: "]") else { return nil }
        let code = text[text.index(after: text.startIndex)..<close]
        return String(code.prefix { $0 != " " }).uppercased()
    }
}

extension IMAPResponse {
    /// The completion, when this is the tagged response for `tag`.
    func completion(for tag: String) -> IMAPCompletion? {
        let text = self.text
        guard text.hasPrefix(tag + " ") else { return nil }
        let rest = text.dropFirst(tag.count + 1)
        let word = rest.prefix { $0 != " " }
        guard let status = IMAPCompletion.Status(rawValue: word.uppercased()) else { return nil }
        return IMAPCompletion(status: status, text: String(rest.dropFirst(word.count).drop { $0 == " " }))
    }

    var isUntagged: Bool {
        guard case .text(let bytes)? = parts.first else { return false }
        return bytes.starts(with: Array("* ".utf8))
    }

    /// `n` of `* OK [UIDVALIDITY n] ...`.
    var uidValidity: UInt32? {
        let words = untaggedWords
        guard words.count >= 3, words[0] == "OK", words[1] == "[UIDVALIDITY" else { return nil }
        return UInt32(words[2].prefix { $0 != "]" })
    }

    /// The numbers of `* SEARCH 4 5 9` (none for a bare `* SEARCH`).
    var searchResults: [UInt32]? {
        let words = untaggedWords
        guard words.first == "SEARCH" else { return nil }
        return words.dropFirst().compactMap { UInt32($0) }
    }

    /// The UID and whole message of `* 3 FETCH (UID 9 BODY[] {1234}...)`; nil for other responses, and for a FETCH
    /// without both (a server may send flag updates of its own accord).
    var fetchedMessage: FetchedMessage? {
        guard let tokens = IMAPToken.tokens(of: self), tokens.count >= 4, tokens[0] == .atom("*"),
            case .atom(let keyword) = tokens[2], keyword.uppercased() == "FETCH", tokens[3] == .open
        else { return nil }
        var uid: UInt32?
        var body: [UInt8]?
        var index = 4
        while index + 1 < tokens.count, case .atom(let name) = tokens[index] {
            let valueEnd = Self.endOfValue(in: tokens, at: index + 1)
            switch (name.uppercased(), tokens[index + 1]) {
            case ("UID", .atom(let number)): uid = UInt32(number)
            case ("BODY[]", .string(let bytes)): body = bytes
            case ("BODY[]", .atom(let nilWord)) where nilWord.uppercased() == "NIL": body = []
            default: break
            }
            index = valueEnd
        }
        guard let uid, let body else { return nil }
        return FetchedMessage(uid: uid, bytes: body)
    }

    /// The upper-cased words after `* `, split at spaces (enough for status and SEARCH responses).
    private var untaggedWords: [String] {
        guard isUntagged, case .text(let bytes) = parts[0] else { return [] }
        return bytes.dropFirst(2).split(separator: UInt8(ascii: " ")).map {
            String(decoding: $0, as: UTF8.self).uppercased()
        }
    }

    /// The index just past the value that starts at `start`: one token, or a whole parenthesised list.
    private static func endOfValue(in tokens: [IMAPToken], at start: Int) -> Int {
        guard tokens[start] == .open else { return start + 1 }
        var depth = 0
        var index = start
        while index < tokens.count {
            if tokens[index] == .open { depth += 1 }
            if tokens[index] == .close { depth -= 1 }
            index += 1
            if depth == 0 { break }
        }
        return index
    }
}
