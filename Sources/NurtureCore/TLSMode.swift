/// Whether the connection to a mail server (SMTP or IMAP) must be encrypted.
public enum TLSMode: String, Sendable, CaseIterable {
    /// STARTTLS for `smtp://` and `imap://`, implicit TLS for `smtps://` and `imaps://`; the certificate is always
    /// verified. A server that does not offer STARTTLS is refused, never spoken to in plain text.
    case required
    /// Plain text; accepted only for a server on this machine (127.0.0.0/8, ::1, localhost; see `Loopback`).
    case none
}
