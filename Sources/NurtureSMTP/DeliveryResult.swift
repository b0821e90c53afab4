/// One reply of the SMTP server: `250 2.0.0 Ok: queued as 4F2A1` is code 250, text `2.0.0 Ok: queued as 4F2A1`.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// Everything after the code; the lines of a multi-line reply joined by spaces.
    public let text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public var description: String { text.isEmpty ? "\(code)" : "\(code) \(text)" }
}

/// How one delivery attempt ended.
public enum DeliveryResult: Sendable, Equatable {
    /// The server took the message; the reply is its final answer to DATA (it often names the queue id).
    case delivered(SMTPReply)
    /// Worth trying again later: a 4xx reply, a network or TLS problem, or our own configuration refused
    /// (login, sender). Says nothing about the recipient, so it must not end their sequence.
    case transientFailure(SMTPFailure)
    /// The server refused this recipient or this message for good (5xx to RCPT TO or to the message).
    case permanentFailure(SMTPFailure)

    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }

    /// The failure, for either kind of failure.
    public var failure: SMTPFailure? {
        switch self {
        case .delivered: return nil
        case .transientFailure(let failure), .permanentFailure(let failure): return failure
        }
    }

    /// The server's last reply, when it gave one.
    public var reply: SMTPReply? {
        switch self {
        case .delivered(let reply): return reply
        case .transientFailure(let failure), .permanentFailure(let failure): return failure.reply
        }
    }
}
