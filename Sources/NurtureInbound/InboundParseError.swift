/// Why bytes could not be read as a message at all.
///
/// Only a few things are fatal: everything else a broken or hostile message does is tolerated and noted in
/// `InboundMessage.defects`, because a reply must still be recognised when its sender's software is sloppy.
public struct InboundParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for callers that react differently to each.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case empty, notAMessage, tooLarge
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// No bytes at all, or only white space.
        public static let empty = Code(.empty)
        /// The bytes do not start with a header field (`Name: value`).
        public static let notAMessage = Code(.notAMessage)
        /// More bytes than `InboundParseLimits.maximumMessageBytes`.
        public static let tooLarge = Code(.tooLarge)

        public var description: String {
            switch base {
            case .empty: return "empty"
            case .notAMessage: return "not a message"
            case .tooLarge: return "too large"
            }
        }
    }

    /// The kind of problem.
    public let code: Code
    /// What is wrong and what to do about it, in one line.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static let empty = InboundParseError(
        .empty, "the message is empty; fetch the whole message (IMAP BODY.PEEK[]), not just its flags or envelope")

    static func notAMessage(firstLine: String) -> InboundParseError {
        let shown = String(
            firstLine.unicodeScalars.prefix(40).map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
        return InboundParseError(
            .notAMessage,
            "the bytes do not start with a header field such as `From: ...` (they start `\(shown)`); "
                + "fetch the whole message with IMAP BODY.PEEK[], not BODY[TEXT]"
        )
    }

    static func tooLarge(byteCount: Int, limit: Int) -> InboundParseError {
        InboundParseError(
            .tooLarge,
            "the message is \(byteCount) bytes, over the \(limit)-byte limit; raise InboundParseLimits.maximumMessageBytes "
                + "if such messages are expected"
        )
    }
}
