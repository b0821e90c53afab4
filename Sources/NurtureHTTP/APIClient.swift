import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Calls a running daemon's API: what the CLI uses so its changes reach the scheduler at once.
///
/// A plain HTTP/1.1 exchange over one socket to the daemon's own address, deliberately not URLSession: that
/// honours `http_proxy`, and the bearer token must never be handed to a proxy.
public struct APIClient: Sendable {
    /// `http://127.0.0.1:8080`, without a trailing slash.
    public let baseURL: String
    let token: APIToken
    let timeout: TimeInterval

    public init(baseURL: String, token: APIToken, timeout: TimeInterval = 60) {
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
    }

    /// The call did not get an answer from the API.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Nothing was sent: no daemon listens there (it is stopping, or it crashed).
        case notReachable(String)
        /// The request went out but no proper answer came back: the daemon may have done it.
        case noAnswer(String)

        public var description: String {
            switch self {
            case .notReachable(let reason), .noAnswer(let reason): reason
            }
        }
    }

    /// Sends `body` as JSON (or as it is, for `[UInt8]`) and returns the answer's body; an API refusal comes back
    /// as the `APIError` it was.
    public func call(_ method: String, _ path: String, body: (some Encodable)? = String?.none) throws -> Data {
        let payload = try body.map { try JSONEncoder.api.encode($0) } ?? Data()
        let (status, data) = try exchange(method, path, body: payload)
        if (200..<300).contains(status) { return data }
        guard let refusal = try? JSONDecoder().decode(RefusalBody.self, from: data) else {
            throw Failure.noAnswer("\(baseURL) answered \(status), not as the Nurture API")
        }
        throw APIError(
            .init(code: status), code: refusal.error.code, refusal.error.message, field: refusal.error.field)
    }

    private struct RefusalBody: Decodable {
        struct Detail: Decodable {
            let code: String
            let field: String?
            let message: String
        }
        let error: Detail
    }

    private func exchange(_ method: String, _ path: String, body: Data) throws(Failure) -> (Int, Data) {
        guard let url = URLComponents(string: baseURL), url.scheme == "http", let host = url.host, let port = url.port
        else { throw .notReachable("\(baseURL) is not an http://HOST:PORT address") }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        request += "Authorization: \(token.headerValue)\r\nConnection: close\r\n"
        if !body.isEmpty { request += "Content-Type: application/json\r\n" }
        request += "Content-Length: \(body.count)\r\n\r\n"
        let socket = try connect(host: host.trimmingCharacters(in: ["[", "]"]), port: port)
        defer { close(socket) }
        try send(Array(request.utf8) + Array(body), on: socket)
        return try RawHTTPAnswer.parse(try receive(on: socket))
    }

    private func connect(host: String, port: Int) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw .notReachable("\(host) is not a numeric address")
        }
        defer { freeaddrinfo(found) }
        let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, 0)
        guard socket >= 0 else { throw .notReachable("cannot open a socket: \(String(cString: strerror(errno)))") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw .notReachable("cannot connect to \(baseURL): \(reason)")
        }
        return socket
    }

    private func send(_ bytes: [UInt8], on socket: Int32) throws(Failure) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard count > 0 else {
                throw .noAnswer("sending to \(baseURL) failed: \(String(cString: strerror(errno)))")
            }
            sent += count
        }
    }

    private func receive(on socket: Int32) throws(Failure) -> [UInt8] {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if count == 0 { return answer }
            guard count > 0 else {
                throw .noAnswer("no answer from \(baseURL): \(String(cString: strerror(errno)))")
            }
            answer += buffer[..<count]
        }
    }
}

/// Just enough of an HTTP/1.1 response for the API's answers: status, `Content-Length` or chunked body.
enum RawHTTPAnswer {
    static func parse(_ bytes: [UInt8]) throws(APIClient.Failure) -> (Int, Data) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.firstRange(of: separator) else { throw .noAnswer("the answer had no headers") }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw .noAnswer("the answer was not HTTP") }
        let headers = head.dropFirst().map { $0.lowercased() }
        let body = Array(bytes[end.upperBound...])
        guard headers.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.hasSuffix("chunked") }) else {
            return (status, Data(body))
        }
        return (status, Data(try dechunk(body)))
    }

    private static func dechunk(_ body: [UInt8]) throws(APIClient.Failure) -> [UInt8] {
        var result: [UInt8] = []
        var index = body.startIndex
        while let lineEnd = body[index...].firstRange(of: Array("\r\n".utf8)) {
            let sizeText = String(decoding: body[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw .noAnswer("a chunked answer was malformed")
            }
            if size == 0 { return result }
            let start = lineEnd.upperBound
            guard start + size <= body.endIndex else { throw .noAnswer("a chunked answer was cut short") }
            result += body[start..<start + size]
            index = start + size + 2
            guard index <= body.endIndex else { break }
        }
        throw .noAnswer("a chunked answer was cut short")
    }
}
