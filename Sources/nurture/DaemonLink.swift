import Foundation
import NurtureConfig
import NurtureHTTP

/// How a CLI command reaches the daemon, if one is running on the same state folder.
enum DaemonLink {
    case notRunning
    /// The daemon's API: changes made through it reach the scheduler's timer at once.
    case api(APIClient)
    /// A daemon is running but its API cannot be used (turned off, or its token unreadable by this user).
    case noAPI(String)

    static func find(_ configuration: Configuration) -> DaemonLink {
        guard isRunning(lockFile: configuration.lockFile) else { return .notRunning }
        guard configuration.api.enabled else { return .noAPI("its API is off (`api.listen: off`)") }
        guard let data = FileManager.default.contents(atPath: configuration.apiAddressFile),
            let address = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !address.isEmpty
        else { return .noAPI("it has not written \(configuration.apiAddressFile) yet") }
        do {
            let token = try APIToken.load(at: configuration.api.tokenFile)
            return .api(APIClient(baseURL: reachable(address), token: token))
        } catch {
            return .noAPI("\(error)")
        }
    }

    /// A daemon listening on every interface is reached on this machine's loopback.
    static func reachable(_ address: String) -> String {
        address.replacingOccurrences(of: "//0.0.0.0:", with: "//127.0.0.1:").replacingOccurrences(
            of: "//[::]:", with: "//[::1]:")
    }

    /// The daemon holds an exclusive lock on `STATE/nurture.lock` for its life; a shared one fails while it does.
    static func isRunning(lockFile: String) -> Bool {
        let descriptor = open(lockFile, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}

extension ConfigOptions {
    /// Does what a state-changing command asks: through the running daemon's API when there is one (so its timer
    /// hears of it at once), else directly on the state database. Both paths run the same `Operations`.
    func perform<Report: Decodable>(
        _ method: String, _ path: String, _ call: (some Encodable)?,
        locally: (Operations) throws(APIError) -> Report
    ) throws -> Report {
        let configuration = try load()
        switch DaemonLink.find(configuration) {
        case .api(let client):
            do {
                return try JSONDecoder.api.decode(Report.self, from: try client.call(method, path, body: call))
            } catch let error as APIError {
                throw CommandFailure(error)
            } catch APIClient.Failure.notReachable(let reason) {
                // Nothing was sent (the daemon is going down): the state database is still there.
                note("\(reason); using the state database directly")
            } catch {
                // The request went out: doing it again here could do it twice.
                throw CommandFailure(
                    message: "the daemon did not answer (\(error)); it may have done it: look with `nurture status` "
                        + "or `nurture timeline EMAIL` before trying again")
            }
        case .noAPI(let reason):
            note("a daemon is running but \(reason); using the state database directly (it notices within a second)")
        case .notRunning:
            break
        }
        let runtime = try Runtime(options: self)
        do {
            return try locally(Operations(runtime: runtime))
        } catch {
            throw CommandFailure(error)
        }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("nurture: note: \(text)\n".utf8))
    }
}

extension CommandFailure {
    /// An API refusal as one line for stderr.
    init(_ error: APIError) {
        self.init(message: error.message)
    }
}
