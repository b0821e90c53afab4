import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Calls a running daemon's API: what the CLI uses so its changes reach the scheduler at once.
public struct APIClient: Sendable {
    /// `http://127.0.0.1:8080`, without a trailing slash.
    public let baseURL: String
    let token: APIToken
    let timeout: TimeInterval

    public init(baseURL: String, token: APIToken, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
    }

    /// The daemon could not be reached, or answered with something that is not the API.
    public struct Unreachable: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Sends `body` as JSON and returns the answer's JSON; an API refusal comes back as the `APIError` it was.
    public func call(_ method: String, _ path: String, body: (some Encodable)? = String?.none) throws -> Data {
        guard let url = URL(string: baseURL + path) else { throw Unreachable(description: "bad URL \(baseURL + path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue(token.headerValue, forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONEncoder.api.encode(body)
        }
        let (status, data) = try Self.perform(request)
        if (200..<300).contains(status) { return data }
        guard let refusal = try? JSONDecoder().decode(RefusalBody.self, from: data) else {
            throw Unreachable(description: "\(baseURL) answered \(status), not as the Nurture API")
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

    /// URLSession is asynchronous; the CLI's commands are not.
    private static func perform(_ request: URLRequest) throws -> (Int, Data) {
        final class Box: @unchecked Sendable {
            var result: Result<(Int, Data), Unreachable> = .failure(Unreachable(description: "no answer"))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse {
                box.result = .success((response.statusCode, data ?? Data()))
            } else {
                let reason = error.map { $0.localizedDescription } ?? "no answer"
                box.result = .failure(Unreachable(description: "\(request.url?.absoluteString ?? ""): \(reason)"))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return try box.result.get()
    }
}
