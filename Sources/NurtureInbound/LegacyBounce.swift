import NurtureCore

/// Best-effort reading of bounces that are not RFC 3464 reports, from the two MTAs that still send plain-text
/// ones by default: qmail and (older or so configured) Exim.
///
/// Only when it is clearly a bounce: the MTA's own opening sentence must be among the first lines, and the
/// message must come from a mailer daemon or postmaster (or with an empty Return-Path), so a person quoting a
/// bounce back at us is not taken for one. Recipients are the addresses the notice lists; a recipient is
/// hard when the notice says the error is permanent or cites a 5xx code, soft when it cites a 4xx code or
/// says delivery is only delayed.
enum LegacyBounce {
    static func report(for message: InboundMessage) -> DeliveryStatusReport? {
        guard isFromMailSystem(message), let text = message.text else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingTrailingWhiteSpace()
        }
        let opening = lines.prefix(12)
        if opening.contains(where: { $0.hasPrefix("Hi. This is the qmail-send program") }) {
            return qmail(lines)
        }
        if opening.contains(where: { $0.contains("This message was created automatically by mail delivery software") })
        {
            return exim(lines)
        }
        return nil
    }

    private static func isFromMailSystem(_ message: InboundMessage) -> Bool {
        if let returnPath = message.headers.rawValue("Return-Path"), returnPath.trimmingWhiteSpace() == "<>" {
            return true
        }
        let sender = message.from?.address.localPart.lowercased() ?? ""
        return ["mailer-daemon", "postmaster", "mail-daemon", "mailer_daemon"].contains(sender)
    }

    /// `<dana@x>:` then the reason lines, one block per recipient, ended by a blank line; the returned
    /// message follows `--- Below this line is a copy of the message.`
    private static func qmail(_ lines: [String]) -> DeliveryStatusReport {
        let copyStart = lines.firstIndex { $0.hasPrefix("--- Below this line is") } ?? lines.endIndex
        let notice = lines[..<copyStart]
        let permanent = notice.contains { $0.contains("This is a permanent error") }
        var recipients: [RecipientStatus] = []
        var index = notice.startIndex
        while index < notice.endIndex {
            let line = notice[index].trimmingWhiteSpace()
            index += 1
            guard line.hasPrefix("<"), line.hasSuffix(">:"),
                let address = try? EmailAddress(String(line.dropFirst().dropLast(2)))
            else { continue }
            var reason: [String] = []
            while index < notice.endIndex, !notice[index].trimmingWhiteSpace().isEmpty {
                reason.append(notice[index].trimmingWhiteSpace())
                index += 1
            }
            recipients.append(recipient(address, reason: reason.joined(separator: " "), permanent: permanent))
        }
        return DeliveryStatusReport(
            format: .qmail, reportingMTA: nil, recipients: recipients,
            originalMessageID: originalMessageID(lines[copyStart...].dropFirst()))
    }

    /// `The following address(es) failed:` (or, for a delay warning, `...has not yet been delivered is:`),
    /// then indented addresses, each followed by more deeply indented detail lines.
    private static func exim(_ lines: [String]) -> DeliveryStatusReport {
        let copyStart = lines.firstIndex { $0.hasPrefix("------ This is a copy of the message") } ?? lines.endIndex
        let notice = lines[..<copyStart]
        let delayed = notice.contains { $0.contains("has not yet been delivered") }
        let permanent = notice.contains { $0.contains("This is a permanent error") }
        var recipients: [RecipientStatus] = []
        var index = notice.startIndex
        while index < notice.endIndex {
            let line = notice[index]
            index += 1
            let indent = line.prefix { $0 == " " }.count
            guard (1...3).contains(indent), let address = address(atStartOf: line) else { continue }
            var detail: [String] = []
            while index < notice.endIndex, notice[index].prefix(while: { $0 == " " }).count > indent {
                detail.append(notice[index].trimmingWhiteSpace())
                index += 1
            }
            let reason = detail.joined(separator: " ")
            recipients.append(
                delayed
                    ? RecipientStatus(
                        finalRecipient: TypedAddress(type: "rfc822", value: address.description), action: .delayed,
                        status: DeliveryStatusCode.first(in: reason), diagnosticCode: reason.isEmpty ? nil : reason)
                    : recipient(address, reason: reason, permanent: permanent))
        }
        return DeliveryStatusReport(
            format: .exim, reportingMTA: nil, recipients: recipients,
            originalMessageID: originalMessageID(lines[copyStart...].dropFirst()))
    }

    /// A failed recipient: the enhanced code in the reason when there is one, else 5.0.0 or 4.0.0 from an SMTP
    /// reply code or the notice's "permanent error".
    private static func recipient(_ address: EmailAddress, reason: String, permanent: Bool) -> RecipientStatus {
        let status =
            DeliveryStatusCode.first(in: reason)
            ?? smtpReplyClass(in: reason).flatMap { DeliveryStatusCode(statusClass: $0, subject: 0, detail: 0) }
            ?? (permanent ? DeliveryStatusCode(statusClass: 5, subject: 0, detail: 0) : nil)
        return RecipientStatus(
            finalRecipient: TypedAddress(type: "rfc822", value: address.description), action: .failed,
            status: status, diagnosticCode: reason.isEmpty ? nil : reason)
    }

    /// 5 or 4 from a three-digit SMTP reply such as `550 User unknown` or `452-Mailbox full`.
    private static func smtpReplyClass(in reason: String) -> Int? {
        for word in reason.split(whereSeparator: { $0 == " " || $0 == ":" }).prefix(200) {
            let code = word.prefix(4)
            guard code.count >= 3, code.prefix(3).allSatisfy({ $0.isASCII && $0.isNumber }),
                code.count == 3 || code.last == "-", let first = code.first, first == "4" || first == "5"
            else { continue }
            return first == "5" ? 5 : 4
        }
        return nil
    }

    /// `  dana@x`, `  dana@x:` or `  <dana@x>: reason`.
    private static func address(atStartOf line: String) -> EmailAddress? {
        guard let word = line.split(separator: " ").first else { return nil }
        var text = Substring(word)
        if text.hasSuffix(":") { text = text.dropLast() }
        return try? EmailAddress(text.trimmingAngleBrackets())
    }

    /// The Message-ID among the returned message's header lines.
    private static func originalMessageID(_ copy: ArraySlice<String>) -> String? {
        let start = copy.firstIndex { !$0.trimmingWhiteSpace().isEmpty } ?? copy.endIndex
        let bytes = Array(copy[start...].joined(separator: "\n").utf8)
        guard !bytes.isEmpty else { return nil }
        let section = HeaderSection.parse(bytes[...], limits: .default)
        return MessageIDList.ids(section.headers.rawValue("Message-ID") ?? "").first
    }
}
