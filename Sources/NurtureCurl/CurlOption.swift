import CCurl

/// The libcurl options Nurture sets (`CURLoption`), named for the modules above.
package struct CurlOption: Sendable {
    let raw: CURLoption

    package static let url = CurlOption(raw: CURLOPT_URL)
    /// The protocols a handle may speak, e.g. `smtp,smtps`: belt and braces with our own URL checks.
    package static let protocols = CurlOption(raw: CURLOPT_PROTOCOLS_STR)
    /// Whether TLS is required (see `CurlHandle.requireTLS`).
    package static let useSSL = CurlOption(raw: CURLOPT_USE_SSL)
    package static let verifyPeer = CurlOption(raw: CURLOPT_SSL_VERIFYPEER)
    package static let verifyHost = CurlOption(raw: CURLOPT_SSL_VERIFYHOST)
    package static let caFile = CurlOption(raw: CURLOPT_CAINFO)
    package static let connectTimeoutMilliseconds = CurlOption(raw: CURLOPT_CONNECTTIMEOUT_MS)
    /// In whole seconds: how long to wait for each reply of a line-based (SMTP, IMAP) server.
    package static let serverResponseTimeoutSeconds = CurlOption(raw: CURLOPT_SERVER_RESPONSE_TIMEOUT)
    package static let timeoutMilliseconds = CurlOption(raw: CURLOPT_TIMEOUT_MS)
    package static let upload = CurlOption(raw: CURLOPT_UPLOAD)
    package static let userName = CurlOption(raw: CURLOPT_USERNAME)
    package static let password = CurlOption(raw: CURLOPT_PASSWORD)
    package static let mailFrom = CurlOption(raw: CURLOPT_MAIL_FROM)
    package static let mailRecipients = CurlOption(raw: CURLOPT_MAIL_RCPT)
    /// Connect, do the protocol's handshake and login, then stop: the caller talks over the connection itself.
    package static let connectOnly = CurlOption(raw: CURLOPT_CONNECT_ONLY)
}

/// What libcurl reports about the last transfer (`CURLINFO`).
package struct CurlInfo: Sendable {
    let raw: CURLINFO

    /// How many new connections the last transfer opened: 0 when it reused one.
    package static let newConnections = CurlInfo(raw: CURLINFO_NUM_CONNECTS)
    /// The last reply code of the server (SMTP's three digits).
    package static let responseCode = CurlInfo(raw: CURLINFO_RESPONSE_CODE)
}
