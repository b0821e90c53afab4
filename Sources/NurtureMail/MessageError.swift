/// Why a message could not be built, naming the part of the message at fault and what to do about it.
public struct MessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for callers that react differently to each.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case headerInjection, invalidHeaderName, reservedHeaderName, invalidUnsubscribeURL
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A CR, LF or NUL in a value bound for a header or the SMTP envelope.
        public static let headerInjection = Code(.headerInjection)
        /// An extra header whose name is empty, too long, or holds a character a field name cannot hold.
        public static let invalidHeaderName = Code(.invalidHeaderName)
        /// An extra header that would duplicate or override one the builder writes itself.
        public static let reservedHeaderName = Code(.reservedHeaderName)
        /// A List-Unsubscribe URL that is not https, or holds a character that would break the header.
        public static let invalidUnsubscribeURL = Code(.invalidUnsubscribeURL)

        public var description: String {
            switch base {
            case .headerInjection: return "header injection"
            case .invalidHeaderName: return "invalid header name"
            case .reservedHeaderName: return "reserved header name"
            case .invalidUnsubscribeURL: return "invalid unsubscribe URL"
            }
        }
    }

    /// The kind of problem.
    public let code: Code
    /// The part of the message at fault, e.g. `Subject`, `To display name`, `List-Unsubscribe URL`.
    public let field: String
    /// What is wrong and what to do about it, in one line.
    public let message: String

    init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
