import CCurl
import NurtureCore
import Synchronization

/// Sends mail through an SMTP server with libcurl, over one connection kept open between messages.
///
/// Sends through one transport are serialised (one connection carries one transaction at a time); make several
/// transports for parallel connections. A connection that breaks is replaced on the next send.
public final class CurlSMTPTransport: MailTransport {
    public let settings: SMTPSettings
    // The Mutex is what makes this class Sendable: the handle is only ever touched inside `withLock`.
    private let handle: Mutex<CurlHandle>

    /// Checks the settings and prepares libcurl; connects only on the first send.
    public init(settings: SMTPSettings) throws(SMTPConfigurationError) {
        let checked = try settings.checked()
        let handle = try CurlHandle()
        try Self.configure(handle, with: checked)
        self.settings = settings
        self.handle = Mutex(handle)
    }

    public func send(_ message: [UInt8], from: EmailAddress, to: EmailAddress) -> DeliveryResult {
        let sender = from.description
        let recipient = to.description
        // EmailAddress already refuses these; checked again because a line break here would inject SMTP commands.
        if sender.containsHeaderBreakingCharacter {
            return .transientFailure(
                SMTPFailure(stage: .mailFrom, reply: nil, message: "the sender address holds a line break or NUL"))
        }
        if recipient.containsHeaderBreakingCharacter {
            return .permanentFailure(
                SMTPFailure(stage: .rcptTo, reply: nil, message: "the recipient address holds a line break or NUL"))
        }
        return handle.withLock { handle in
            var outcome = Self.transfer(message, from: sender, to: recipient, on: handle)
            if outcome.isWorthRetryingOnFreshConnection {
                outcome = Self.transfer(message, from: sender, to: recipient, on: handle)
            }
            return outcome.result(from: sender, to: recipient, redacting: settings.password)
        }
    }

    private static func transfer(
        _ message: [UInt8], from: String, to: String, on handle: CurlHandle
    ) -> TransferOutcome {
        handle.exchange.start(upload: message)
        var code = handle.set(CURLOPT_MAIL_FROM, "<\(from)>")
        if code == CURLE_OK {
            // Lets libcurl announce SIZE=, so a server with a size limit refuses before the upload, not after.
            code = handle.setFileSize(message.count)
        }
        if code == CURLE_OK {
            code = handle.perform(with: CURLOPT_MAIL_RCPT, list: ["<\(to)>"])
        }
        let transcript = handle.exchange.transcript
        let openedNewConnection = handle.info(CURLINFO_NUM_CONNECTS) > 0
        guard code != CURLE_OK else {
            return TransferOutcome(
                curlError: nil, stage: transcript.stage, reply: transcript.reply,
                openedNewConnection: openedNewConnection)
        }
        // The transcript has the text; libcurl's response code is the fallback should a reply line have been missed.
        let responseCode = handle.info(CURLINFO_RESPONSE_CODE)
        let reply = transcript.reply ?? (responseCode >= 400 ? SMTPReply(code: responseCode, text: "") : nil)
        return TransferOutcome(
            curlError: TransferOutcome.CurlError(
                code: Int(code.rawValue), kind: kind(of: code), detail: handle.detail(of: code)),
            stage: transcript.stage,
            reply: reply,
            openedNewConnection: openedNewConnection
        )
    }

    private static func configure(_ handle: CurlHandle, with checked: CheckedSMTPSettings)
        throws(SMTPConfigurationError)
    {
        let settings = checked.settings
        let useSSL = settings.tls == .required ? CURLUSESSL_ALL : CURLUSESSL_NONE
        var steps: [(String, () -> CURLcode)] = [
            ("the URL", { handle.set(CURLOPT_URL, checked.curlURL) }),
            // Belt and braces with the URL check: this handle must never speak anything but SMTP.
            ("SMTP support", { handle.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps") }),
            // For smtp:// this makes STARTTLS mandatory: without it libcurl would carry on in plain text.
            ("TLS", { handle.set(CURLOPT_USE_SSL, Int(useSSL.rawValue)) }),
            ("certificate verification", { handle.set(CURLOPT_SSL_VERIFYPEER, 1) }),
            ("host name verification", { handle.set(CURLOPT_SSL_VERIFYHOST, 2) }),
            ("the connect timeout", { handle.set(CURLOPT_CONNECTTIMEOUT_MS, checked.connectTimeoutMilliseconds) }),
            ("the response timeout", { handle.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, checked.responseTimeoutSeconds) }),
            ("the transfer timeout", { handle.set(CURLOPT_TIMEOUT_MS, checked.transferTimeoutMilliseconds) }),
            ("uploading", { handle.set(CURLOPT_UPLOAD, 1) }),
        ]
        if let caFile = settings.caFile {
            steps.append(("the CA file", { handle.set(CURLOPT_CAINFO, caFile) }))
        }
        if let user = settings.user, let password = settings.password {
            steps.append(("the user name", { handle.set(CURLOPT_USERNAME, user) }))
            steps.append(("the password", { handle.set(CURLOPT_PASSWORD, password) }))
        }
        for (what, step) in steps {
            let code = step()
            guard code == CURLE_OK else {
                throw SMTPConfigurationError(
                    .libcurlUnavailable,
                    "libcurl refused \(what): \(CurlHandle.name(of: code)) (is it built with SMTP and TLS support?)")
            }
        }
    }

    private static func kind(of code: CURLcode) -> CurlErrorKind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_USE_SSL_FAILED:
            return .startTLSUnavailable
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .tls
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR:
            return .loginDenied
        // libcurl also answers a negative SMTP reply with CURLE_SEND_ERROR; the reply, when there is one, decides.
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return .connectionLost
        default:
            return .other
        }
    }
}
