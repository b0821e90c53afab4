import Foundation
import FuzzCheck
import NurtureInbound

/// A message as it comes back from the reply mailbox: a reply, an auto-reply or a bounce. The parser refuses
/// what it cannot read and never crashes; everything the inbox processor asks of a parsed message is asked here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Small limits, so the fuzzer reaches the refusals as well as the parts within them.
    let limits = InboundParseLimits(
        maximumMessageBytes: 64 << 10, maximumDepth: 8, maximumParts: 64, maximumHeaderFields: 64,
        maximumHeaderBytes: 16 << 10)
    for limit in [limits, .default] {
        guard let message = try? InboundMessage.parse(bytes, limits: limit) else { continue }
        _ = (message.from, message.replyTo, message.to, message.cc, message.subject, message.date)
        _ = (message.messageID, message.inReplyTo, message.references, message.defects.map(\.description))
        _ = message.autoReply?.description
        _ = message.text
        let excerpt = message.replyExcerpt(maxLines: 5, maxCharacters: 500)
        check(excerpt.count <= 500 + 1, "an excerpt of \(excerpt.count) characters")
        if let report = message.deliveryReport {
            _ = (report.isHard, report.isBestEffort, report.reportingMTA, report.originalMessageID)
            for recipient in report.recipients {
                _ = (recipient.address, recipient.isHard, recipient.isSoft, recipient.status?.description)
            }
        }
        visit(message.root)
    }
    return 0
}

private func visit(_ part: MessagePart) {
    _ = (part.filename, part.isAttachment, part.bytes?.count, part.text)
    switch part.content {
    case .multipart(let parts): parts.forEach(visit)
    case .message(let enclosed): visit(enclosed.root)
    case .headers(let headers): _ = headers.rawValue("Message-ID")
    case .bytes: break
    }
}
