import NurtureCore

/// A bounce or delay notice: what a mail system says happened to a message Nurture sent.
public struct DeliveryStatusReport: Sendable, Hashable {
    /// Where the report was read from.
    public enum Format: Sendable, Hashable {
        /// A `multipart/report; report-type=delivery-status` (RFC 3464): fields, not guesses.
        case rfc3464
        /// qmail's plain-text "Hi. This is the qmail-send program" notice. Best effort.
        case qmail
        /// Exim's plain-text "This message was created automatically by mail delivery software" notice.
        /// Best effort.
        case exim
    }

    public let format: Format
    /// The MTA that wrote the report, without its type (`dns;`); nil when not said.
    public let reportingMTA: String?
    /// One entry per recipient the report is about.
    public let recipients: [RecipientStatus]
    /// The `Message-ID` of the message that bounced, from the returned message or its headers.
    public let originalMessageID: String?

    /// True when read from prose rather than RFC 3464 fields: recipients and severity are only as good as
    /// the sender's wording.
    public var isBestEffort: Bool { format != .rfc3464 }
    /// Some recipient failed permanently: stop mailing that address.
    public var isHard: Bool { recipients.contains(where: \.isHard) }
}

/// What happened for one recipient (RFC 3464 §2.3).
public struct RecipientStatus: Sendable, Hashable {
    /// `Final-Recipient`: the address the reporting MTA tried.
    public let finalRecipient: TypedAddress?
    /// `Original-Recipient`: the address as Nurture gave it, when the MTA kept it.
    public let originalRecipient: TypedAddress?
    public let action: DeliveryAction
    public let status: DeliveryStatusCode?
    /// `Diagnostic-Code`, e.g. `smtp; 550 5.1.1 <dana@prospect.example>: Recipient address rejected`.
    public let diagnosticCode: String?
    /// `Remote-MTA`, without its type.
    public let remoteMTA: String?

    public init(
        finalRecipient: TypedAddress?, originalRecipient: TypedAddress? = nil, action: DeliveryAction,
        status: DeliveryStatusCode?, diagnosticCode: String? = nil, remoteMTA: String? = nil
    ) {
        self.finalRecipient = finalRecipient
        self.originalRecipient = originalRecipient
        self.action = action
        self.status = status
        self.diagnosticCode = diagnosticCode
        self.remoteMTA = remoteMTA
    }

    /// The address to act on: the original recipient when known (it is what Nurture sent to), else the final.
    public var address: EmailAddress? { originalRecipient?.address ?? finalRecipient?.address }

    /// A permanent failure: status class 5, or `failed` with no status at all.
    public var isHard: Bool {
        switch action {
        case .failed: return status.map { $0.statusClass != 4 } ?? true
        case .delayed, .delivered, .relayed, .expanded: return false
        case .other: return status?.statusClass == 5
        }
    }

    /// A temporary failure: `delayed`, or status class 4. The address may still work later.
    public var isSoft: Bool {
        switch action {
        case .delayed: return true
        case .failed, .other: return status?.statusClass == 4
        case .delivered, .relayed, .expanded: return false
        }
    }
}

/// `rfc822; dana@prospect.example`: an address with its type (RFC 3464 §2.3.1).
public struct TypedAddress: Sendable, Hashable {
    /// `rfc822`, `utf-8`, `x400`..., lowercased; empty when the MTA left the type out.
    public let type: String
    public let value: String

    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    /// The address when the type is an Internet one and the value is a usable address.
    public var address: EmailAddress? {
        guard type == "rfc822" || type == "utf-8" || type.isEmpty else { return nil }
        return try? EmailAddress(value.trimmingAngleBrackets())
    }

    static func parse(_ rawValue: String) -> TypedAddress {
        guard let semicolon = rawValue.firstIndex(of: ";") else { return TypedAddress(type: "", value: rawValue) }
        return TypedAddress(
            type: rawValue[..<semicolon].trimmingWhiteSpace().lowercased(),
            value: rawValue[rawValue.index(after: semicolon)...].trimmingWhiteSpace())
    }
}

/// `Action` (RFC 3464 §2.3.3).
public enum DeliveryAction: Sendable, Hashable {
    case failed, delayed, delivered, relayed, expanded
    /// A value RFC 3464 does not define, lowercased.
    case other(String)

    init(_ rawValue: String) {
        let word = rawValue.trimmingWhiteSpace().lowercased().prefix { !" \t;(".contains($0) }
        switch word {
        case "failed": self = .failed
        case "delayed": self = .delayed
        case "delivered": self = .delivered
        case "relayed": self = .relayed
        case "expanded": self = .expanded
        default: self = .other(String(word))
        }
    }
}

/// An enhanced status code, `class.subject.detail` (RFC 3463), e.g. 5.1.1 "bad destination mailbox".
public struct DeliveryStatusCode: Sendable, Hashable, CustomStringConvertible {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    public let statusClass: Int
    public let subject: Int
    public let detail: Int

    public init?(statusClass: Int, subject: Int, detail: Int) {
        guard [2, 4, 5].contains(statusClass), (0...999).contains(subject), (0...999).contains(detail) else {
            return nil
        }
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }

    /// Reads `5.1.1`, ignoring a trailing comment (`5.1.1 (bad destination mailbox address)`).
    public init?(_ text: String) {
        let code = text.trimmingWhiteSpace().prefix { !" \t(;".contains($0) }
        let numbers = code.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) }),
            let statusClass = Int(numbers[0]), let subject = Int(numbers[1]), let detail = Int(numbers[2]),
            numbers.allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { return nil }
        self.init(statusClass: statusClass, subject: subject, detail: detail)
    }

    /// The first `x.y.z` code in prose such as `550 5.1.1 <dana@x>: User unknown` or qmail's `(#5.1.1)`.
    static func first(in text: some StringProtocol) -> DeliveryStatusCode? {
        let characters = Array(text.prefix(2_000))
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let startsWord = index == 0 || !(characters[index - 1].isNumber || characters[index - 1] == ".")
            if startsWord, character == "2" || character == "4" || character == "5", index + 1 < characters.count,
                characters[index + 1] == "."
            {
                var end = index
                while end < characters.count, characters[end].isASCII,
                    characters[end].isNumber || characters[end] == "."
                {
                    end += 1
                }
                if let code = DeliveryStatusCode(String(characters[index..<end])) { return code }
            }
            index += 1
        }
        return nil
    }
}

extension InboundMessage {
    /// The delivery report this message is, or nil when it is not a bounce or delay notice: RFC 3464 when
    /// there is a `message/delivery-status` part, else the qmail and Exim notices recognised on a best-effort
    /// basis (see `LegacyBounce`).
    public var deliveryReport: DeliveryStatusReport? {
        if let part = DeliveryReportParser.statusPart(in: root), let bytes = part.bytes {
            return DeliveryReportParser.report(statusBytes: bytes, originalMessageID: originalMessageID(in: root))
        }
        return LegacyBounce.report(for: self)
    }

    private func originalMessageID(in part: MessagePart) -> String? {
        switch part.content {
        case .message(let message): return message.messageID
        case .headers(let headers): return MessageIDList.ids(headers.rawValue("Message-ID") ?? "").first
        case .multipart(let parts): return parts.lazy.compactMap { originalMessageID(in: $0) }.first
        case .bytes: return nil
        }
    }
}

enum DeliveryReportParser {
    static func statusPart(in part: MessagePart) -> MessagePart? {
        switch part.content {
        case .bytes:
            let type = part.contentType.mimeType
            return type == "message/delivery-status" || type == "message/global-delivery-status" ? part : nil
        case .multipart(let parts): return parts.lazy.compactMap { statusPart(in: $0) }.first
        case .message, .headers: return nil
        }
    }

    /// The per-message block, then one block per recipient, separated by blank lines (RFC 3464 §2.1).
    static func report(statusBytes: [UInt8], originalMessageID: String?) -> DeliveryStatusReport {
        let blocks = fieldBlocks(statusBytes[...])
        let perMessage = blocks.first ?? .empty
        // The first block is about the message; some MTAs leave out the blank line after it, so any block naming
        // a recipient is read as one.
        let recipients = blocks.compactMap { block -> RecipientStatus? in
            guard block.contains("Final-Recipient") || block.contains("Original-Recipient") else { return nil }
            return RecipientStatus(
                finalRecipient: block.rawValue("Final-Recipient").map(TypedAddress.parse),
                originalRecipient: block.rawValue("Original-Recipient").map(TypedAddress.parse),
                action: DeliveryAction(block.rawValue("Action") ?? ""),
                status: block.rawValue("Status").flatMap(DeliveryStatusCode.init),
                diagnosticCode: block["Diagnostic-Code"],
                remoteMTA: block.rawValue("Remote-MTA").map { TypedAddress.parse($0).value })
        }
        return DeliveryStatusReport(
            format: .rfc3464,
            reportingMTA: perMessage.rawValue("Reporting-MTA").map { TypedAddress.parse($0).value },
            recipients: recipients,
            originalMessageID: originalMessageID)
    }

    private static func fieldBlocks(_ bytes: ArraySlice<UInt8>) -> [InboundHeaders] {
        var blocks: [InboundHeaders] = []
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let line = Lines.line(in: bytes, from: position)
            if bytes[line.content].allSatisfy(EncodedWordDecoder.isWhiteSpace) {
                position = line.next
                continue
            }
            let section = HeaderSection.parse(bytes[position...], limits: .default)
            if section.headers.fields.isEmpty || section.bodyStart <= position {
                // Not a field: skip the line rather than stall on it.
                position = line.next
                continue
            }
            blocks.append(section.headers)
            position = section.bodyStart
        }
        return blocks
    }
}

extension StringProtocol {
    func trimmingWhiteSpace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    func trimmingAngleBrackets() -> String {
        var text = Substring(trimmingWhiteSpace())
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return String(text)
    }
}
