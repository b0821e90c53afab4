/// A header field ready to be written: its name, and its value cut into pieces a fold may separate.
///
/// Every piece after the first starts with the white space a line break may be put in front of, so unfolding
/// (RFC 5322 §2.2.3: removing each CRLF that precedes white space) gives back exactly the value meant.
struct HeaderField: Equatable {
    /// RFC 5322 §2.1.1: lines SHOULD stay within 78 characters and MUST stay within 998.
    static let preferredLineLength = 78
    static let maximumLineLength = 998

    let name: String
    let pieces: [String]

    init(_ name: String, pieces: [String]) {
        self.name = name
        self.pieces = pieces
    }

    /// Room for the first piece so that it shares the field name's line within 78 characters.
    static func firstLineRoom(after name: String) -> Int {
        preferredLineLength - name.utf8.count - 2
    }

    /// The field as written: CRLF-terminated, folded before a piece wherever the line would pass 78.
    var folded: String {
        var output = name + ":"
        var lineLength = output.utf8.count
        for (index, piece) in pieces.enumerated() {
            let text = index == 0 ? " " + piece : piece
            if index > 0, lineLength + text.utf8.count > Self.preferredLineLength {
                output += "\r\n"
                lineLength = 0
            }
            output += text
            lineLength += text.utf8.count
        }
        return output + "\r\n"
    }

    /// The longest line of `folded`, in octets, without its CRLF.
    var longestLine: Int {
        folded.utf8.split(separator: UInt8(ascii: "\n")).map { $0.count - 1 }.max() ?? 0
    }

    /// Cuts plain ASCII text into pieces, each after the first starting at the last white space of a run,
    /// so a fold never leaves a line holding only white space.
    static func pieces(splittingAtWhiteSpace text: String) -> [String] {
        let bytes = Array(text.utf8)
        var pieces: [String] = []
        var start = 0
        for index in bytes.indices where index > 0 && isWhiteSpace(bytes[index]) {
            let nextIsText = index + 1 < bytes.count && !isWhiteSpace(bytes[index + 1])
            if nextIsText {
                pieces.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index
            }
        }
        pieces.append(String(decoding: bytes[start...], as: UTF8.self))
        return pieces
    }

    private static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
