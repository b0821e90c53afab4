/// Which part of the SMTP conversation a failure happened in.
public enum SMTPStage: String, Sendable, Equatable, CaseIterable {
    /// Reaching the server and reading its greeting (and the handshake of implicit TLS).
    case connect
    /// EHLO / HELO.
    case hello
    /// STARTTLS and the TLS handshake, or certificate verification.
    case tls
    /// AUTH: logging in.
    case auth
    /// MAIL FROM: the sender.
    case mailFrom
    /// RCPT TO: the recipient.
    case rcptTo
    /// DATA and the message itself.
    case data

    /// How the stage reads in a sentence.
    public var commandName: String {
        switch self {
        case .connect: return "connect"
        case .hello: return "EHLO"
        case .tls: return "STARTTLS/TLS"
        case .auth: return "AUTH"
        case .mailFrom: return "MAIL FROM"
        case .rcptTo: return "RCPT TO"
        case .data: return "DATA"
        }
    }
}

/// Why a delivery did not happen. `message` is written for the person reading the log and never holds the password.
public struct SMTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let stage: SMTPStage
    /// The server's reply that ended the attempt, when it gave one.
    public let reply: SMTPReply?
    /// What happened and, where it is ours to fix, what to do; ends with the server's reply or libcurl's error.
    public let message: String
    /// libcurl's `CURLcode`, when libcurl reported an error.
    public let curlCode: Int?
    /// libcurl's explanation, e.g. `Failed to connect to 127.0.0.1 port 2525 after 0 ms: Connection refused`.
    public let curlDetail: String?
    /// The whole message had been handed to the server when it stopped answering (a timeout or a lost connection
    /// after DATA's 354): the server may have taken it, so sending it again may deliver it twice.
    public let mayHaveBeenDelivered: Bool

    public init(
        stage: SMTPStage, reply: SMTPReply?, message: String, curlCode: Int? = nil, curlDetail: String? = nil,
        mayHaveBeenDelivered: Bool = false
    ) {
        self.stage = stage
        self.reply = reply
        self.message = message
        self.curlCode = curlCode
        self.curlDetail = curlDetail
        self.mayHaveBeenDelivered = mayHaveBeenDelivered
    }

    /// The SMTP reply code, when the server answered.
    public var code: Int? { reply?.code }

    /// The failure is the server's or our setup's, not this recipient's or this message's: it could not be reached,
    /// did not answer, closed with 421, or refused our TLS, login or sender. Every other message would fail the
    /// same way now, so a sender should pause rather than try each one.
    public var concernsServer: Bool {
        guard !mayHaveBeenDelivered else { return false }
        if reply?.code == 421 { return true }
        switch stage {
        case .connect, .hello, .tls, .auth, .mailFrom: return true
        case .rcptTo, .data: return reply == nil
        }
    }

    public var description: String { message }
}
