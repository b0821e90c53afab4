/// Why a poll of the mailbox failed. `message` says what happened and what to do, and never holds the password.
public struct IMAPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The server could not be reached, or the connection broke.
        case connect
        /// TLS failed: an untrusted certificate, or no STARTTLS where TLS is required.
        case tls
        /// The server refused the login. Retrying will not help until the user or password changes: alert the
        /// owner rather than retry in a storm.
        case auth
        /// The folder of the URL does not exist (or may not be read).
        case noSuchFolder
        /// The server answered in a way we cannot use.
        case `protocol`
        /// The server did not answer in time.
        case timeout
    }

    public let code: Code
    public let message: String
    /// The server's own words, when it gave a negative answer, e.g. `NO [AUTHENTICATIONFAILED] Authentication failed.`
    public let serverResponse: String?
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public let curlCode: Int?

    public init(_ code: Code, _ message: String, serverResponse: String? = nil, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.serverResponse = serverResponse
        self.curlCode = curlCode
    }

    public var description: String { message }
}
