import NurtureCurl

/// One logged-in IMAP connection: libcurl connects, does TLS or STARTTLS and logs in (CONNECT_ONLY), then we speak
/// IMAP over it ourselves.
///
/// Why not libcurl's own IMAP commands: its URL fetches SELECT the folder and fetch `BODY[]`, both of which mark
/// mail \Seen; and its custom requests (libcurl 7.88, Debian 12) read a FETCH literal as protocol lines, so a
/// message holding a line such as `A004 OK` ends the command early and the rest of the message is taken for the
/// answer to the next command. Here literals are read by their byte count, and every command and its answer travel
/// over this one connection, so the folder opened by EXAMINE stays open for the commands after it.
final class IMAPConnection {
    private let handle: CurlHandle
    private let settings: CheckedIMAPSettings
    private var reader = IMAPResponseReader()
    private var commandsSent = 0
    /// False once the conversation is out of step (a timeout, a garbled answer): nothing more may be sent.
    private var inStep = true

    /// Connects and logs in.
    init(_ settings: CheckedIMAPSettings) throws(IMAPError) {
        self.settings = settings
        do {
            handle = try CurlHandle()
        } catch {
            throw IMAPError(.connect, "libcurl could not be set up: \(error.message)")
        }
        try configure()
        let lastServerLine = LastLine()
        // Only what the server says is kept: what we send during the login carries the password.
        handle.trace = { [lastServerLine] direction, bytes in
            if direction == .received { lastServerLine.record(bytes) }
        }
        let code = handle.perform()
        handle.trace = nil
        guard code.isOK else {
            throw loginFailure(code, serverLine: lastServerLine.text)
        }
    }

    deinit {
        // Not `close()`d: a failed poll. libcurl's own LOGOUT on cleanup must not wait for a server out of step.
        if inStep { close() } else { handle.abandonConnection() }
    }

    /// Sends `command` and reads up to its tagged answer: the untagged responses before it, and how it ended.
    func run(_ command: IMAPCommand) throws(IMAPError) -> (responses: [IMAPResponse], completion: IMAPCompletion) {
        guard inStep else { throw IMAPError(.protocol, "the IMAP connection is out of step; poll again") }
        inStep = false
        commandsSent += 1
        // Our tags cannot be mistaken for libcurl's (A001...), which it used for the login on this connection.
        let tag = "N\(commandsSent)"
        let code = handle.send(Array("\(tag) \(command.wire)\r\n".utf8), timeout: settings.settings.responseTimeout)
        guard code.isOK else { throw transferFailure(code, during: command) }
        var responses: [IMAPResponse] = []
        while true {
            let response: IMAPResponse?
            do {
                response = try reader.next()
            } catch {
                throw IMAPError(.protocol, "the IMAP server's answer to \(command.name) is garbled: \(error.message)")
            }
            guard let response else {
                var bytes: [UInt8] = []
                let code = handle.receive(into: &bytes, timeout: settings.settings.responseTimeout)
                guard code.isOK else { throw transferFailure(code, during: command) }
                reader.append(bytes)
                continue
            }
            if let completion = response.completion(for: tag) {
                inStep = true
                return (responses, completion)
            }
            if response.text.hasPrefix("* BYE") && command != .logout {
                throw IMAPError(
                    .connect,
                    "the IMAP server closed the connection during \(command.name): \(redacted(response.text))",
                    serverResponse: redacted(response.text))
            }
            responses.append(response)
        }
    }

    /// Logs out, so the server ends the session cleanly; a failure here changes nothing.
    func close() {
        guard inStep else { return }
        _ = try? run(.logout)
        inStep = false
        handle.abandonConnection()
    }

    func redacted(_ text: String) -> String {
        let password = settings.settings.password
        return password.isEmpty ? text : text.replacing(password, with: "<redacted>")
    }

    private func configure() throws(IMAPError) {
        let checked = settings
        let handle = self.handle
        var steps: [(String, () -> CurlCode)] = [
            ("the URL", { handle.set(.url, checked.endpoint.curlURL) }),
            // Belt and braces with the URL check: this handle must never speak anything but IMAP.
            ("IMAP support", { handle.set(.protocols, "imap,imaps") }),
            // For imap:// this makes STARTTLS mandatory: without it libcurl would carry on in plain text.
            ("TLS", { handle.requireTLS(checked.settings.tls == .required) }),
            ("certificate verification", { handle.set(.verifyPeer, 1) }),
            ("host name verification", { handle.set(.verifyHost, 2) }),
            ("the connect timeout", { handle.set(.connectTimeoutMilliseconds, checked.connectTimeoutMilliseconds) }),
            ("the response timeout", { handle.set(.serverResponseTimeoutSeconds, checked.responseTimeoutSeconds) }),
            ("the user name", { handle.set(.userName, checked.settings.user) }),
            ("the password", { handle.set(.password, checked.settings.password) }),
            ("connect-only mode", { handle.set(.connectOnly, 1) }),
        ]
        if let caFile = checked.settings.caFile {
            steps.append(("the CA file", { handle.set(.caFile, caFile) }))
        }
        for (what, step) in steps {
            let code = step()
            guard code.isOK else {
                throw IMAPError(
                    .connect, "libcurl refused \(what): \(code) (is it built with IMAP and TLS support?)",
                    curlCode: code.rawValue)
            }
        }
    }

    private var serverName: String {
        let endpoint = settings.endpoint
        return "the IMAP server \(endpoint.host)\(endpoint.port.map { ":\($0)" } ?? "")"
    }

    private func loginFailure(_ code: CurlCode, serverLine: String?) -> IMAPError {
        let detail = redacted(handle.detail(of: code))
        let said = serverLine.map { redacted($0) }
        switch code.kind {
        case .couldNotConnect:
            return IMAPError(
                .connect, "could not connect to \(serverName): \(detail); check inbox.url and that the server is up",
                curlCode: code.rawValue)
        case .timedOut:
            return IMAPError(
                .timeout,
                "\(serverName) did not finish connecting and logging in within the connect timeout: \(detail)",
                serverResponse: said, curlCode: code.rawValue)
        case .startTLSUnavailable:
            return IMAPError(
                .tls,
                "\(serverName) does not offer STARTTLS, and tls: required forbids reading mail in plain text; use "
                    + "imaps:// or enable STARTTLS on the server: \(detail)",
                serverResponse: said, curlCode: code.rawValue)
        case .tls:
            return IMAPError(
                .tls,
                "the TLS connection to \(serverName) failed (is its certificate trusted by this machine or by "
                    + "inbox.ca_file, and issued for this host name?): \(detail)",
                curlCode: code.rawValue)
        case .loginDenied:
            return IMAPError(
                .auth,
                "\(serverName) refused the login of `\(settings.settings.user)`"
                    + (said.map { " (\($0))" } ?? "") + ": check inbox.user and the password file; "
                    + "polling will keep failing until they are fixed",
                serverResponse: said, curlCode: code.rawValue)
        case .connectionLost:
            return IMAPError(
                .connect, "\(serverName) closed the connection before we were logged in: \(detail)",
                serverResponse: said, curlCode: code.rawValue)
        case .other:
            return IMAPError(
                .protocol, "logging in to \(serverName) failed: \(detail)", serverResponse: said,
                curlCode: code.rawValue)
        }
    }

    private func transferFailure(_ code: CurlCode, during command: IMAPCommand) -> IMAPError {
        let detail = redacted(handle.detail(of: code))
        switch code.kind {
        case .timedOut:
            return IMAPError(
                .timeout,
                "\(serverName) did not answer \(command.name) within \(settings.settings.responseTimeout); poll again "
                    + "later, or raise the response timeout if the mailbox is slow",
                curlCode: code.rawValue)
        case .connectionLost:
            return IMAPError(
                .connect, "the connection to \(serverName) was lost during \(command.name): \(detail)",
                curlCode: code.rawValue)
        default:
            return IMAPError(
                .connect, "talking to \(serverName) failed during \(command.name): \(detail)", curlCode: code.rawValue)
        }
    }
}

/// The last line the server sent during the login, for explaining a refusal.
private final class LastLine {
    private(set) var text: String?

    func record(_ bytes: UnsafeRawBufferPointer) {
        let lines = bytes.split(whereSeparator: { $0 == 0x0D || $0 == 0x0A })
        if let last = lines.last { text = String(decoding: last, as: UTF8.self) }
    }
}
