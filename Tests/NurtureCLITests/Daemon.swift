import Foundation
import NurtureTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `nurture run` in the background, as ops would start it; its log goes to a file the test can read.
final class Daemon {
    private let process = Process()
    let log: URL

    init(_ arguments: [String], in folder: TemporaryFolder, environment: [String: String]) throws {
        log = folder.url.appendingPathComponent("daemon-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = NurtureProcess.executable
        process.arguments = ["run"] + arguments
        process.currentDirectoryURL = folder.url
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(environment) { $1 }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }

    /// nurture.yml's `api:` for a test daemon: a free port on loopback, so daemons of parallel tests never clash.
    static let anyPort = "api: { listen: \"127.0.0.1:0\" }\n"

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits (up to `timeout`) for a clean exit; returns the exit status.
    @discardableResult
    func terminate(within timeout: Duration = .seconds(20)) -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes: for output of another process, never for
/// a schedule.
func eventually(within timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// The API of a test daemon whose state is `folder/var`.
struct DaemonAPI {
    let base: String
    let token: String

    /// Waits for the daemon to write its address (it does once it listens).
    init(folder: TemporaryFolder, within timeout: Duration = .seconds(20)) throws {
        let addressFile = folder.path + "/var/api.address"
        _ = eventually(within: timeout) { FileManager.default.fileExists(atPath: addressFile) }
        base = try String(contentsOfFile: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        token = try String(contentsOfFile: folder.path + "/var/api-token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Answer {
        let status: Int
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    /// One call; `authorization` replaces the right token's header (nil: none at all).
    func call(
        _ method: String, _ path: String, json: String? = nil, authorization: String?? = .none, base: String? = nil
    ) throws -> Answer {
        var request = URLRequest(url: URL(string: (base ?? self.base) + path)!, timeoutInterval: 10)
        request.httpMethod = method
        switch authorization {
        case .none: request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        case .some(.some(let header)): request.setValue(header, forHTTPHeaderField: "Authorization")
        case .some(.none): break
        }
        request.httpBody = json.map { Data($0.utf8) }
        return try Self.perform(request)
    }

    static func perform(_ request: URLRequest) throws -> Answer {
        final class Box: @unchecked Sendable {
            var result: Result<Answer, any Error> = .failure(URLError(.unknown))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse {
                box.result = .success(Answer(status: response.statusCode, body: data ?? Data()))
            } else {
                box.result = .failure(error ?? URLError(.badServerResponse))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result.get()
    }
}
