import NurtureCurl

/// The facts of one finished transfer, and the judgement on them: delivered, transient or permanent.
///
/// The rule: only the recipient's or the message's own refusal (5xx to RCPT TO or to the message) is permanent.
/// A 5xx to EHLO, AUTH or MAIL FROM is a problem with our setup, so it must not end the prospect's sequence.
struct TransferOutcome {
    struct CurlError: Equatable {
        let code: Int
        let kind: CurlErrorKind
        let detail: String
    }

    /// Nil when libcurl reported success.
    let curlError: CurlError?
    let stage: SMTPStage
    /// The server's latest reply to the command at `stage`.
    let reply: SMTPReply?
    /// False when the transfer went over a connection kept from an earlier message.
    let openedNewConnection: Bool

    /// A connection kept from an earlier message died (or was closed with 421) before the server accepted anything
    /// of this transaction, so trying once more on a fresh connection cannot deliver twice.
    var isWorthRetryingOnFreshConnection: Bool {
        guard !openedNewConnection, let curlError, [.connect, .hello, .mailFrom].contains(stage) else { return false }
        if let reply { return reply.code == 421 }
        return curlError.kind == .connectionLost
    }

    func result(from sender: String, to recipient: String, redacting secret: String?) -> DeliveryResult {
        guard let curlError else {
            let reply = self.reply ?? SMTPReply(code: 250, text: "")
            if (200..<300).contains(reply.code) { return .delivered(reply) }
            return .transientFailure(failure("the server gave an unexpected final reply: \(reply)", secret: secret))
        }
        let stage = stage(for: curlError.kind)
        if let reply, reply.code >= 400 {
            return judge(reply, at: stage, from: sender, to: recipient, secret: secret)
        }
        if messageWasHandedOver {
            let text =
                "the SMTP server stopped answering after the whole message was sent, so it may have taken it: "
                + explanation(of: curlError, at: stage)
            return .transientFailure(
                failure(text, stage: stage, reply: nil, secret: secret, mayHaveBeenDelivered: true))
        }
        return .transientFailure(
            failure(explanation(of: curlError, at: stage), stage: stage, reply: nil, secret: secret))
    }

    /// The server said 354 to DATA and nothing after: the body, and maybe its final dot, went out.
    private var messageWasHandedOver: Bool {
        stage == .data && reply?.code == 354
    }

    private func stage(for kind: CurlErrorKind) -> SMTPStage {
        switch kind {
        case .tls, .startTLSUnavailable: return .tls
        case .loginDenied: return .auth
        default: return stage
        }
    }

    private func judge(
        _ reply: SMTPReply, at stage: SMTPStage, from sender: String, to recipient: String, secret: String?
    ) -> DeliveryResult {
        guard (500..<600).contains(reply.code) else {
            let text = "the server asked us to try again later (at \(stage.commandName)): \(reply)"
            return .transientFailure(failure(text, stage: stage, reply: reply, secret: secret))
        }
        let text: String
        switch stage {
        case .rcptTo:
            text = "the server refused the recipient <\(recipient)>: \(reply)"
            return .permanentFailure(failure(text, stage: stage, reply: reply, secret: secret))
        case .data:
            text = "the server refused the message to <\(recipient)>: \(reply)"
            return .permanentFailure(failure(text, stage: stage, reply: reply, secret: secret))
        case .auth:
            text = "the server refused our login (\(reply)): check smtp.user and the password file"
        case .mailFrom:
            text =
                "the server refused our sender <\(sender)> (\(reply)): check the from address and that smtp.user "
                + "may send as it; the recipient is not at fault"
        case .hello:
            text = "the server refused our EHLO greeting (\(reply)): check smtp.ehlo; the recipient is not at fault"
        case .tls:
            text = "the server refused STARTTLS (\(reply)): check smtp.url and smtp.tls"
        case .connect:
            text = "the server refused the connection (\(reply)): check smtp.url; the recipient is not at fault"
        }
        return .transientFailure(failure(text, stage: stage, reply: reply, secret: secret))
    }

    private func explanation(of error: CurlError, at stage: SMTPStage) -> String {
        switch error.kind {
        case .couldNotConnect:
            return "could not connect to the SMTP server: \(error.detail)"
        case .timedOut:
            return "the SMTP server did not answer in time (at \(stage.commandName)): \(error.detail)"
        case .startTLSUnavailable:
            return "the SMTP server does not offer STARTTLS and tls: required forbids plain text: \(error.detail)"
        case .tls:
            return "the TLS connection to the SMTP server failed (is its certificate trusted by this machine or by "
                + "smtp.ca_file?): \(error.detail)"
        case .loginDenied:
            return "the server refused our login: check smtp.user and the password file: \(error.detail)"
        case .connectionLost:
            return "the connection to the SMTP server was lost (at \(stage.commandName)): \(error.detail)"
        case .other:
            return "sending failed (at \(stage.commandName)): \(error.detail)"
        }
    }

    private func failure(_ text: String, secret: String?) -> SMTPFailure {
        failure(text, stage: stage, reply: reply, secret: secret)
    }

    private func failure(
        _ text: String, stage: SMTPStage, reply: SMTPReply?, secret: String?, mayHaveBeenDelivered: Bool = false
    ) -> SMTPFailure {
        SMTPFailure(
            stage: stage,
            reply: reply.map { SMTPReply(code: $0.code, text: Self.redact(secret, in: $0.text)) },
            message: Self.redact(secret, in: text),
            curlCode: curlError?.code,
            curlDetail: curlError.map { Self.redact(secret, in: $0.detail) },
            mayHaveBeenDelivered: mayHaveBeenDelivered
        )
    }

    // The transcript never keeps what we send, but a server or libcurl could still echo the password back.
    private static func redact(_ secret: String?, in text: String) -> String {
        guard let secret, !secret.isEmpty else { return text }
        return text.replacing(secret, with: "<redacted>")
    }
}
