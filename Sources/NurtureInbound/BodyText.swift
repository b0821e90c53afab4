extension InboundMessage {
    /// The best human-readable body: the first `text/plain` part that is not an attachment, else the first
    /// such `text/html` part turned into text. Enclosed messages (a forwarded original, the message returned
    /// in a bounce) are not looked into. Line breaks are `"\n"`. Nil when there is no text at all.
    public var text: String? {
        if let plain = BodyText.firstReadable(in: root, subtype: "plain") { return plain.text }
        if let html = BodyText.firstReadable(in: root, subtype: "html"), let source = html.text {
            return HTMLText.text(fromHTML: source)
        }
        return nil
    }
}

enum BodyText {
    /// Depth-first, so the order is the order of the message. The tree is as deep as the parse limits let it be.
    static func firstReadable(in part: MessagePart, subtype: String) -> MessagePart? {
        switch part.content {
        case .multipart(let parts):
            for child in parts {
                if let found = firstReadable(in: child, subtype: subtype) { return found }
            }
            return nil
        case .bytes:
            let isWanted = part.contentType.type == "text" && part.contentType.subtype == subtype
            return isWanted && !part.isAttachment ? part : nil
        case .message, .headers:
            return nil
        }
    }
}
