import NurtureCore

/// How Nurture reaches the mailbox that receives replies and bounces.
///
/// The password is kept out of `description`, `debugDescription` and `dump`, so settings can be logged.
public struct IMAPSettings: Sendable, Equatable {
    /// `imaps://host[:993]/FOLDER` (TLS from the first byte) or `imap://host[:143]/FOLDER` (STARTTLS unless `tls`
    /// is `.none`). The folder defaults to INBOX; percent-encode spaces and other reserved characters.
    public var url: String
    public var tls: TLSMode
    /// The login name.
    public var user: String
    /// The password for `user`, already read from its file by the caller.
    public var password: String
    /// A CA bundle (PEM) to trust instead of the system's, e.g. for a server with its own CA.
    public var caFile: String?
    /// How long connecting may take: TCP, TLS (or STARTTLS) and the login.
    public var connectTimeout: Duration
    /// How long to wait for the server each time we expect bytes from it.
    public var responseTimeout: Duration

    public init(
        url: String,
        tls: TLSMode = .required,
        user: String,
        password: String,
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(10),
        responseTimeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.tls = tls
        self.user = user
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
    }
}

extension IMAPSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts = ["url: \(url)", "tls: \(tls.rawValue)", "user: \(user)", "password: <redacted>"]
        if let caFile { parts.append("caFile: \(caFile)") }
        parts.append("connectTimeout: \(connectTimeout)")
        parts.append("responseTimeout: \(responseTimeout)")
        return "IMAPSettings(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": url, "tls": tls, "user": user, "password": "<redacted>", "caFile": caFile as Any,
                "connectTimeout": connectTimeout, "responseTimeout": responseTimeout,
            ],
            displayStyle: .struct
        )
    }
}
