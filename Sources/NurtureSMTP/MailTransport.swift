import NurtureCore

/// Something that hands one message to one recipient and says how it went.
///
/// `send` blocks until the server has answered (libcurl is synchronous): call it from a worker thread,
/// never from a cooperative-pool task that other work waits on.
public protocol MailTransport: Sendable {
    /// Sends `message` (RFC 5322 bytes, CRLF line ends) in one SMTP transaction with a single envelope recipient.
    func send(_ message: [UInt8], from: EmailAddress, to: EmailAddress) -> DeliveryResult
}
