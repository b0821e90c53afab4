/// One node of a message's MIME tree (RFC 2045, RFC 2046): its headers, its type, and what it holds.
public struct MessagePart: Sendable, Hashable {
    /// What a part holds once parsed.
    public indirect enum Content: Sendable, Hashable {
        /// A leaf, transfer-decoded (base64 and quoted-printable undone), charset not yet applied.
        case bytes([UInt8])
        /// `multipart/*`: the parts between the boundaries; preamble and epilogue dropped.
        case multipart([MessagePart])
        /// `message/rfc822` (and `message/global`): the enclosed message, e.g. the original in a bounce.
        case message(InboundMessage)
        /// `text/rfc822-headers`: just the header section of a message, as bounces often return.
        case headers(InboundHeaders)
    }

    /// The part's own headers (for the top part, the message's headers).
    public let headers: InboundHeaders
    public let contentType: ContentType
    public let disposition: ContentDisposition?
    public let content: Content

    /// The sub-parts of a multipart, or none.
    public var parts: [MessagePart] {
        if case .multipart(let parts) = content { return parts }
        return []
    }

    /// The file name from Content-Disposition, else Content-Type's `name`.
    public var filename: String? {
        (disposition?.filename ?? contentType.parameters["name"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Marked as an attachment, or carrying a file name: not the text a person typed.
    public var isAttachment: Bool {
        disposition?.isAttachment == true || filename != nil
    }

    /// A leaf's decoded bytes, or nil for multiparts, messages and header blocks.
    public var bytes: [UInt8]? {
        if case .bytes(let bytes) = content { return bytes }
        return nil
    }

    /// A `text/*` leaf as a string: its charset applied (see `Charset` for the ones known), line breaks as
    /// `"\n"`. Nil for anything else.
    public var text: String? {
        guard contentType.type == "text", let bytes else { return nil }
        return Self.normalizingLineBreaks(Charset.decode(bytes, charset: contentType.charset))
    }

    /// CRLF and lone CR become LF.
    static func normalizingLineBreaks(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
