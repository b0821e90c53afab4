import NurtureCore
import NurtureCurl
import Synchronization

/// Sends mail through an SMTP server with libcurl, over one connection kept open between messages.
///
/// Sends through one transport are serialised (one connection carries one transaction at a time); make several
/// transports for parallel connections. A connection that breaks is replaced on the next send.
public final class CurlSMTPTransport: MailTransport {
    public let settings: SMTPSettings
    // The Mutex is what makes this class Sendable: the handle is only ever touched inside `withLock`.
    private let connection: Mutex<SMTPConnection>

    /// Checks the settings and prepares libcurl; connects only on the first send.
    public init(settings: SMTPSettings) throws(SMTPConfigurationError) {
        let checked = try settings.checked()
        let connection = try SMTPConnection()
        try Self.configure(connection.handle, with: checked)
        self.settings = settings
        self.connection = Mutex(connection)
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
        return connection.withLock { connection in
            var outcome = Self.transfer(message, from: sender, to: recipient, on: connection)
            if outcome.isWorthRetryingOnFreshConnection {
                outcome = Self.transfer(message, from: sender, to: recipient, on: connection)
            }
            return outcome.result(from: sender, to: recipient, redacting: settings.password)
        }
    }

    private static func transfer(
        _ message: [UInt8], from: String, to: String, on connection: SMTPConnection
    ) -> TransferOutcome {
        let handle = connection.handle
        connection.start(upload: message)
        var code = handle.set(.mailFrom, "<\(from)>")
        if code.isOK {
            // Lets libcurl announce SIZE=, so a server with a size limit refuses before the upload, not after.
            code = handle.setUploadSize(message.count)
        }
        if code.isOK {
            code = handle.perform(with: .mailRecipients, list: ["<\(to)>"])
        }
        let transcript = connection.transcript
        let openedNewConnection = handle.info(.newConnections) > 0
        guard !code.isOK else {
            return TransferOutcome(
                curlError: nil, stage: transcript.stage, reply: transcript.reply,
                openedNewConnection: openedNewConnection)
        }
        // The transcript has the text; libcurl's response code is the fallback should a reply line have been missed.
        let responseCode = handle.info(.responseCode)
        let reply = transcript.reply ?? (responseCode >= 400 ? SMTPReply(code: responseCode, text: "") : nil)
        return TransferOutcome(
            curlError: TransferOutcome.CurlError(
                code: code.rawValue, kind: code.kind, detail: handle.detail(of: code)),
            stage: transcript.stage,
            reply: reply,
            openedNewConnection: openedNewConnection
        )
    }

    private static func configure(_ handle: CurlHandle, with checked: CheckedSMTPSettings)
        throws(SMTPConfigurationError)
    {
        let settings = checked.settings
        var steps: [(String, () -> CurlCode)] = [
            ("the URL", { handle.set(.url, checked.curlURL) }),
            // Belt and braces with the URL check: this handle must never speak anything but SMTP.
            ("SMTP support", { handle.set(.protocols, "smtp,smtps") }),
            // For smtp:// this makes STARTTLS mandatory: without it libcurl would carry on in plain text.
            ("TLS", { handle.requireTLS(settings.tls == .required) }),
            ("certificate verification", { handle.set(.verifyPeer, 1) }),
            ("host name verification", { handle.set(.verifyHost, 2) }),
            ("the connect timeout", { handle.set(.connectTimeoutMilliseconds, checked.connectTimeoutMilliseconds) }),
            ("the response timeout", { handle.set(.serverResponseTimeoutSeconds, checked.responseTimeoutSeconds) }),
            ("the transfer timeout", { handle.set(.timeoutMilliseconds, checked.transferTimeoutMilliseconds) }),
            ("uploading", { handle.set(.upload, 1) }),
        ]
        if let caFile = settings.caFile {
            steps.append(("the CA file", { handle.set(.caFile, caFile) }))
        }
        if let user = settings.user, let password = settings.password {
            steps.append(("the user name", { handle.set(.userName, user) }))
            steps.append(("the password", { handle.set(.password, password) }))
        }
        for (what, step) in steps {
            let code = step()
            guard code.isOK else {
                throw SMTPConfigurationError(
                    .libcurlUnavailable,
                    "libcurl refused \(what): \(code) (is it built with SMTP and TLS support?)")
            }
        }
    }
}
