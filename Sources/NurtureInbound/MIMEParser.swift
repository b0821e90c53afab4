/// Builds the MIME tree of a message, within `InboundParseLimits`.
///
/// Every level scans its own bytes once, and the depth is capped, so the work is linear in the message size
/// times the depth limit; recursion is as deep as the depth limit allows, never deeper.
struct MIMEParser {
    let limits: InboundParseLimits
    private(set) var defects: [ParseDefect] = []
    private var partCount = 0

    init(limits: InboundParseLimits) {
        self.limits = limits
    }

    /// A whole message: headers, then its body as a part of the type they declare.
    mutating func message(_ bytes: ArraySlice<UInt8>, depth: Int) -> InboundMessage {
        let firstDefect = defects.count
        let section = HeaderSection.parse(bytes, limits: limits)
        defects += section.defects
        let root = part(
            headers: section.headers, body: bytes[section.bodyStart...], depth: depth, defaultType: .plainText)
        return InboundMessage(headers: section.headers, root: root, defects: Array(defects[firstDefect...]))
    }

    /// A body part inside a multipart: its own headers (possibly none), then its body.
    private mutating func bodyPart(_ bytes: ArraySlice<UInt8>, depth: Int, defaultType: ContentType) -> MessagePart {
        let section = HeaderSection.parse(bytes, limits: limits)
        defects += section.defects
        return part(headers: section.headers, body: bytes[section.bodyStart...], depth: depth, defaultType: defaultType)
    }

    private mutating func part(
        headers: InboundHeaders, body: ArraySlice<UInt8>, depth: Int, defaultType: ContentType
    ) -> MessagePart {
        let contentType = headers.rawValue("Content-Type").flatMap(ContentType.parse) ?? defaultType
        let disposition = headers.rawValue("Content-Disposition").map(ContentDisposition.parse)
        let encoding = headers.rawValue("Content-Transfer-Encoding")
        func leaf() -> MessagePart {
            MessagePart(
                headers: headers, contentType: contentType, disposition: disposition,
                content: .bytes(TransferDecoding.decode(body, encoding: encoding)))
        }

        let isContainer =
            contentType.type == "multipart" || contentType.mimeType == "message/rfc822"
            || contentType.mimeType == "message/global" || contentType.mimeType == "text/rfc822-headers"
        if isContainer, depth >= limits.maximumDepth {
            defects.append(.depthLimitReached)
            return leaf()
        }
        let content: MessagePart.Content
        switch contentType.mimeType {
        case _ where contentType.type == "multipart":
            guard let boundary = contentType.boundary else {
                defects.append(.missingBoundary)
                return leaf()
            }
            let childType = contentType.subtype == "digest" ? ContentType.message : .plainText
            content = .multipart(
                Self.split(body, boundary: Array(boundary.utf8), defects: &defects).compactMap { slice in
                    guard partCount < limits.maximumParts else {
                        if defects.last != .partLimitReached { defects.append(.partLimitReached) }
                        return nil
                    }
                    partCount += 1
                    return bodyPart(slice, depth: depth + 1, defaultType: childType)
                })
        case "message/rfc822", "message/global":
            // RFC 2046 §5.2.1 allows only 7bit, 8bit and binary here, but base64 is seen in the wild.
            let decoded = TransferDecoding.decode(body, encoding: encoding)
            content = .message(message(decoded[...], depth: depth + 1))
        case "text/rfc822-headers":
            let decoded = TransferDecoding.decode(body, encoding: encoding)
            let section = HeaderSection.parse(decoded[...], limits: limits)
            defects += section.defects
            content = .headers(section.headers)
        default:
            return leaf()
        }
        return MessagePart(headers: headers, contentType: contentType, disposition: disposition, content: content)
    }

    /// The bodies between `--boundary` lines (RFC 2046 §5.1.1). A delimiter line is `--boundary`, or
    /// `--boundary--` for the last, followed only by white space. The line break before a delimiter belongs to
    /// it. A missing closing delimiter ends the last part at the end of the body.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8], defects: inout [ParseDefect]) -> [ArraySlice<UInt8>]
    {
        let delimiter = Array("--".utf8) + boundary
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var position = body.startIndex
        var closed = false
        while position < body.endIndex {
            let line = Lines.line(in: body, from: position)
            let content = body[line.content]
            if content.starts(with: delimiter) {
                let rest = content.dropFirst(delimiter.count)
                let isClose = rest.starts(with: "--".utf8)
                let padding = isClose ? rest.dropFirst(2) : rest
                if padding.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                    if let start = partStart {
                        parts.append(body[start..<lineBreakStart(before: position, in: body, from: start)])
                    }
                    partStart = isClose ? nil : line.next
                    if isClose {
                        closed = true
                        break
                    }
                }
            }
            position = line.next
        }
        if let start = partStart {
            parts.append(body[start..<body.endIndex])
        }
        if parts.isEmpty, !closed {
            defects.append(.boundaryNotFound)
        } else if !closed {
            defects.append(.missingFinalBoundary)
        }
        return parts
    }

    /// Where the line break ending the previous line starts: a part's content excludes it.
    private static func lineBreakStart(before position: Int, in body: ArraySlice<UInt8>, from start: Int) -> Int {
        var end = position
        if end > start, body[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > start, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }
}
