/// IMAP settings that cannot work or would be unsafe, found before any connection is made.
public struct IMAPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case invalidURL
        case plainTextToRemoteHost
        case invalidCredentials
        case unreadableCAFile
        case invalidTimeout
        /// libcurl could not be set up, or lacks IMAP or TLS support.
        case libcurlUnavailable
    }

    public let code: Code
    /// What is wrong and how to fix it; never contains the password.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
