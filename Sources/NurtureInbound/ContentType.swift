/// A `Content-Type` (RFC 2045 §5): the media type, lowercased, and its parameters.
public struct ContentType: Sendable, Hashable {
    /// `text`, `multipart`, `message`...
    public let type: String
    /// `plain`, `alternative`, `rfc822`...
    public let subtype: String
    /// Parameter names lowercased; values unquoted, RFC 2231 continuations joined and decoded.
    public let parameters: [String: String]

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// `text/plain`.
    public var mimeType: String { "\(type)/\(subtype)" }
    public var charset: String? { parameters["charset"] }
    public var boundary: String? { parameters["boundary"].flatMap { $0.isEmpty ? nil : $0 } }

    /// RFC 2045 §5.2: no Content-Type, or one that cannot be read, means plain US-ASCII text.
    public static let plainText = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    /// RFC 2046 §5.1.5: the default inside `multipart/digest`.
    static let message = ContentType(type: "message", subtype: "rfc822")

    /// Parses a raw `Content-Type` value; nil when it is not `type/subtype`.
    static func parse(_ rawValue: String) -> ContentType? {
        let (value, parameters) = HeaderParameters.parse(rawValue)
        let pieces = value.split(separator: "/", maxSplits: 1)
        guard pieces.count == 2, let type = pieces.first, let subtype = pieces.last,
            isToken(type), isToken(subtype)
        else { return nil }
        return ContentType(type: String(type), subtype: String(subtype), parameters: parameters)
    }

    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains($0) }
    }
}

/// A `Content-Disposition` (RFC 2183).
public struct ContentDisposition: Sendable, Hashable {
    /// `inline`, `attachment`, lowercased.
    public let kind: String
    public let parameters: [String: String]

    public var isAttachment: Bool { kind == "attachment" }
    public var filename: String? { parameters["filename"] }

    static func parse(_ rawValue: String) -> ContentDisposition {
        let (value, parameters) = HeaderParameters.parse(rawValue)
        return ContentDisposition(kind: value.lowercased(), parameters: parameters)
    }
}
