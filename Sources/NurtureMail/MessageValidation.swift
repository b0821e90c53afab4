import NurtureCore

/// The checks that keep every value of a message inside its own header line.
enum MessageValidation {
    /// Headers the builder writes itself; an extra header with one of these names would duplicate or override it.
    static let reservedHeaderNames: Set<String> = [
        "date", "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "return-path",
    ]
    /// Leaves room on the first line for the value beside a name.
    static let maximumHeaderNameLength = 76

    /// Checks every header value for line breaks first, so an injection attempt is reported as such whatever else
    /// is wrong with the message. Addresses need no check: an `EmailAddress` cannot hold a line break.
    static func check(_ message: MailMessage) throws(MessageError) {
        try requireSafe(message.from.displayName, field: "From display name")
        try requireSafe(message.to.displayName, field: "To display name")
        try requireSafe(message.replyTo?.displayName, field: "Reply-To display name")
        try requireSafe(message.subject, field: "Subject")
        for header in message.extraHeaders {
            try requireSafe(header.name, field: "header name `\(header.name.debugDescription)`")
            try requireSafe(header.value, field: "\(header.name) header")
        }
        try requireSafe(message.listUnsubscribe?.url, field: ListUnsubscribe.urlField)

        for header in message.extraHeaders { try checkName(header.name) }
        try message.listUnsubscribe?.validateURL()
    }

    private static func requireSafe(_ value: String?, field: @autoclosure () -> String) throws(MessageError) {
        guard let value else { return }
        do {
            try requireHeaderSafe(value, field: field())
        } catch {
            throw MessageError(.headerInjection, field: error.field, error.description)
        }
    }

    /// RFC 5322 §3.6.8: a field name is printable ASCII other than `:`.
    private static func checkName(_ name: String) throws(MessageError) {
        var field: String { "header name `\(name)`" }
        guard !name.isEmpty, name.utf8.count <= maximumHeaderNameLength,
            name.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") })
        else {
            throw MessageError(
                .invalidHeaderName, field: field,
                "\(field) is not a valid header name: use 1 to \(maximumHeaderNameLength) printable ASCII "
                    + "characters without spaces or `:`, e.g. `X-Nurture-Campaign`")
        }
        guard !reservedHeaderNames.contains(name.lowercased()) else {
            throw MessageError(
                .reservedHeaderName, field: field,
                "\(field) is written by Nurture itself; set it through the message's own fields, or rename it "
                    + "to an `X-` header")
        }
    }
}
