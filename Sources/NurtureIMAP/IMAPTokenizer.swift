/// The tokens of one response, literals included, for the few responses whose insides matter (FETCH).
enum IMAPToken: Equatable {
    /// An atom or number; a section such as `BODY[HEADER.FIELDS (FROM)]` stays one atom.
    case atom(String)
    case string([UInt8])
    case open
    case close

    /// Splits `response` into tokens; nil when a quoted string or a section is not closed.
    static func tokens(of response: IMAPResponse) -> [IMAPToken]? {
        var tokens: [IMAPToken] = []
        for part in response.parts {
            switch part {
            case .literal(let bytes):
                tokens.append(.string(bytes))
            case .text(let bytes):
                guard tokenize(bytes, into: &tokens) else { return nil }
            }
        }
        return tokens
    }

    private static func tokenize(_ bytes: [UInt8], into tokens: inout [IMAPToken]) -> Bool {
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "):
                index += 1
            case UInt8(ascii: "("):
                tokens.append(.open)
                index += 1
            case UInt8(ascii: ")"):
                tokens.append(.close)
                index += 1
            case UInt8(ascii: "\""):
                var string: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < bytes.count else { return false }
                    string.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { return false }
                tokens.append(.string(string))
                index += 1
            default:
                let start = index
                var depth = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "[") { depth += 1 }
                    if byte == UInt8(ascii: "]") { depth -= 1 }
                    if depth == 0
                        && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")"))
                    {
                        break
                    }
                    index += 1
                }
                guard depth == 0 else { return false }
                tokens.append(.atom(String(decoding: bytes[start..<index], as: UTF8.self)))
            }
        }
        return true
    }
}
