/// One complete response of the server: its text, with every literal cut out and kept apart, byte for byte.
///
/// `* 3 FETCH (UID 9 BODY[] {5}\r\nhello)\r\n` is `[.text("* 3 FETCH (UID 9 BODY[] "), .literal("hello"),
/// .text(")")]`: the `{5}` and the line ends are framing, not content.
struct IMAPResponse: Equatable {
    enum Part: Equatable {
        case text([UInt8])
        case literal([UInt8])
    }

    let parts: [Part]

    /// The first line without its literals' contents, for matching tags and for error messages.
    var text: String {
        parts.map { part in
            switch part {
            case .text(let bytes): String(decoding: bytes, as: UTF8.self)
            case .literal(let bytes): "{\(bytes.count)}"
            }
        }.joined()
    }
}

/// What made a response unreadable.
struct IMAPFramingError: Error, Equatable {
    let message: String
}

/// Cuts the bytes the server sends into responses, honouring literals (`{N}\r\n` then exactly N bytes) by their
/// count, never by looking for line ends inside them: a message may hold any line, `A1 OK` included.
struct IMAPResponseReader {
    /// A line longer than this, outside literals, is not IMAP: guards memory against a broken server.
    static let longestLine = 1 << 20
    /// The largest literal accepted; a message larger than this cannot be read.
    static let largestLiteral = 256 << 20

    private var buffer: [UInt8] = []
    /// Where the response being read continues in `buffer`.
    private var position = 0
    /// Where to continue looking for a line end: bytes before it are known to hold none.
    private var searchFrom = 0
    private var parts: [IMAPResponse.Part] = []
    /// The size of the literal that starts at `position`, once its announcement has been read.
    private var pendingLiteral: Int?

    mutating func append(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete response, or nil until more bytes arrive.
    mutating func next() throws(IMAPFramingError) -> IMAPResponse? {
        while true {
            if let length = pendingLiteral {
                guard buffer.count - position >= length else { return nil }
                parts.append(.literal(Array(buffer[position..<(position + length)])))
                position += length
                searchFrom = position
                pendingLiteral = nil
                continue
            }
            guard let lineFeed = buffer[searchFrom...].firstIndex(of: 0x0A) else {
                searchFrom = buffer.count
                guard buffer.count - position <= Self.longestLine else {
                    throw IMAPFramingError(message: "the server sent a line of more than \(Self.longestLine) bytes")
                }
                return nil
            }
            var line = buffer[position..<lineFeed]
            if line.last == 0x0D { line = line.dropLast() }
            position = lineFeed + 1
            searchFrom = position
            if let (length, announcement) = try Self.literalAnnouncement(ending: line) {
                parts.append(.text(Array(line[..<announcement])))
                pendingLiteral = length
                continue
            }
            parts.append(.text(Array(line)))
            let response = IMAPResponse(parts: parts)
            parts = []
            buffer.removeFirst(position)
            position = 0
            searchFrom = 0
            return response
        }
    }

    /// `{123}` (or literal8's `~{123}`) at the end of a line: the size, and where the announcement starts.
    private static func literalAnnouncement(
        ending line: ArraySlice<UInt8>
    ) throws(IMAPFramingError) -> (Int, ArraySlice<UInt8>.Index)? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        let digits = line[(open + 1)..<(line.endIndex - 1)]
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard length <= largestLiteral else {
            throw IMAPFramingError(
                message: "the server announced \(length) bytes in one piece, more than the \(largestLiteral) we accept")
        }
        let start = open > line.startIndex && line[open - 1] == UInt8(ascii: "~") ? open - 1 : open
        return (length, start)
    }
}
