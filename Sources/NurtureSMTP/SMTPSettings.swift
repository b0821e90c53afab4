import NurtureCore

/// How Nurture reaches its SMTP server.
///
/// The password is kept out of `description`, `debugDescription` and `dump`, so settings can be logged.
public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:port` (STARTTLS unless `tls` is `.none`) or `smtps://host:port` (TLS from the first byte).
    public var url: String
    public var tls: TLSMode
    /// Login name for AUTH; no AUTH when nil.
    public var user: String?
    /// The password for `user`, already read from its file by the caller.
    public var password: String?
    /// The name we greet the server with (EHLO). Some servers score mail by it: use the sending host's name.
    public var ehloName: String
    /// A CA bundle (PEM) to trust instead of the system's, e.g. for a relay with its own CA.
    public var caFile: String?
    /// How long connecting may take. libcurl counts the whole SMTP handshake as connecting: TCP, greeting, EHLO,
    /// STARTTLS and AUTH.
    public var connectTimeout: Duration
    /// How long to wait for each reply of the server. libcurl 7.x counts it in whole seconds (rounded up).
    public var responseTimeout: Duration
    /// A guard on one whole delivery, connection included, so a trickling server cannot hold a worker forever.
    public var transferTimeout: Duration

    public init(
        url: String,
        tls: TLSMode = .required,
        user: String? = nil,
        password: String? = nil,
        ehloName: String = "localhost",
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(10),
        responseTimeout: Duration = .seconds(60),
        transferTimeout: Duration = .seconds(300)
    ) {
        self.url = url
        self.tls = tls
        self.user = user
        self.password = password
        self.ehloName = ehloName
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.transferTimeout = transferTimeout
    }
}

extension SMTPSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts = ["url: \(url)", "tls: \(tls.rawValue)"]
        if let user { parts.append("user: \(user)") }
        if password != nil { parts.append("password: <redacted>") }
        parts.append("ehloName: \(ehloName)")
        if let caFile { parts.append("caFile: \(caFile)") }
        parts.append("connectTimeout: \(connectTimeout)")
        parts.append("responseTimeout: \(responseTimeout)")
        parts.append("transferTimeout: \(transferTimeout)")
        return "SMTPSettings(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": url, "tls": tls, "user": user as Any, "password": password == nil ? "nil" : "<redacted>",
                "ehloName": ehloName, "caFile": caFile as Any, "connectTimeout": connectTimeout,
                "responseTimeout": responseTimeout, "transferTimeout": transferTimeout,
            ],
            displayStyle: .struct
        )
    }
}
