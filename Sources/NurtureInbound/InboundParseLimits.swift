/// Bounds on the work one message can make the parser do, so a hostile message cannot exhaust the stack,
/// memory or time. Past a bound the parser stops descending or collecting and notes a `ParseDefect`; only
/// `maximumMessageBytes` is fatal.
public struct InboundParseLimits: Sendable, Hashable {
    /// Larger inputs are refused with `InboundParseError.Code.tooLarge`.
    public var maximumMessageBytes: Int
    /// How deep multiparts and enclosed messages may nest; deeper ones are kept as opaque bytes.
    /// Real mail rarely goes past 5 (a bounce of a forwarded reply with attachments).
    public var maximumDepth: Int
    /// How many body parts the whole tree may hold; later parts are dropped.
    public var maximumParts: Int
    /// How many fields one header section may hold; later fields are dropped.
    public var maximumHeaderFields: Int
    /// How many bytes one header section may hold; fields past it are dropped.
    public var maximumHeaderBytes: Int

    public init(
        maximumMessageBytes: Int = 64 << 20,
        maximumDepth: Int = 24,
        maximumParts: Int = 1_000,
        maximumHeaderFields: Int = 1_000,
        maximumHeaderBytes: Int = 512 << 10
    ) {
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumDepth = maximumDepth
        self.maximumParts = maximumParts
        self.maximumHeaderFields = maximumHeaderFields
        self.maximumHeaderBytes = maximumHeaderBytes
    }

    public static let `default` = InboundParseLimits()
}

/// Something wrong with a message that the parser worked around.
public enum ParseDefect: Sendable, Hashable, CustomStringConvertible {
    /// Multiparts or enclosed messages nested deeper than `InboundParseLimits.maximumDepth`.
    case depthLimitReached
    /// More body parts than `InboundParseLimits.maximumParts`.
    case partLimitReached
    /// A header section with more fields or bytes than the limits allow.
    case headerLimitReached
    /// A multipart whose Content-Type has no boundary parameter.
    case missingBoundary
    /// A multipart body in which its boundary never occurs.
    case boundaryNotFound
    /// A multipart whose closing `--boundary--` line is missing (often a truncated message).
    case missingFinalBoundary
    /// A line in a header section that is neither a field nor a continuation; the body was taken to start there.
    case malformedHeaderLine

    public var description: String {
        switch self {
        case .depthLimitReached: return "parts nested too deeply; the deepest were kept unparsed"
        case .partLimitReached: return "too many body parts; the last were dropped"
        case .headerLimitReached: return "a header section too large; its last fields were dropped"
        case .missingBoundary: return "a multipart without a boundary parameter"
        case .boundaryNotFound: return "a multipart whose boundary never occurs"
        case .missingFinalBoundary: return "a multipart without its closing boundary"
        case .malformedHeaderLine: return "a line in a header section that is not a field"
        }
    }
}
