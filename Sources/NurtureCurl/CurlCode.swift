import CCurl

/// A libcurl result code (`CURLcode`), so the modules above can judge a result without importing libcurl.
package struct CurlCode: Equatable, Sendable, CustomStringConvertible {
    package let rawValue: Int

    init(_ code: CURLcode) {
        rawValue = Int(code.rawValue)
    }

    package static let ok = CurlCode(CURLE_OK)
    /// Our own verdict when a connect-only read or write waited longer than it was allowed to.
    package static let timedOut = CurlCode(CURLE_OPERATION_TIMEDOUT)
    /// Our own verdict when the server closed a connect-only connection while we expected more.
    package static let connectionClosed = CurlCode(CURLE_GOT_NOTHING)

    package var isOK: Bool { self == .ok }

    /// libcurl's generic text for the code, e.g. `Couldn't connect to server`.
    package var description: String {
        String(cString: curl_easy_strerror(CURLcode(UInt32(rawValue))))
    }

    /// What kind of trouble the code means, for choosing the words and the decision (`.other` for `.ok`).
    package var kind: CurlErrorKind {
        switch CURLcode(UInt32(rawValue)) {
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

/// The kinds of libcurl error that call for different words or a different decision.
package enum CurlErrorKind: Equatable, Sendable {
    case couldNotConnect
    case timedOut
    /// The server does not offer STARTTLS and TLS is required.
    case startTLSUnavailable
    case tls
    case loginDenied
    case connectionLost
    case other
}

/// libcurl could not be set up at all: not a problem of any one server.
package struct CurlSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
