import Foundation
import NurtureHTTP

/// The API over the running daemon: the same `Operations` as the CLI, on the daemon's current configuration and
/// campaigns, with the scheduler woken after every change so a step due now leaves at once.
struct DaemonAPI: APIBackend {
    let daemon: Daemon

    func enroll(_ call: EnrollmentCall) async throws(APIError) -> APIReply {
        let report = try await perform { operations throws(APIError) in try operations.enroll(call) }
        daemon.scheduler.wake()
        return try APIReply(.created, encoding: report)
    }

    func record(_ call: EventCall) async throws(APIError) -> APIReply {
        try APIReply(encoding: try await perform { operations throws(APIError) in try operations.record(call) })
    }

    func stop(_ call: StopCall) async throws(APIError) -> APIReply {
        try APIReply(encoding: try await perform { operations throws(APIError) in try operations.stop(call) })
    }

    func send(_ call: SendCall) async throws(APIError) -> APIReply {
        try APIReply(encoding: try await perform { operations throws(APIError) in try operations.send(call) })
    }

    func status() async throws(APIError) -> APIReply {
        let daemon = self.daemon
        return try APIReply(
            encoding: try await perform { operations throws(APIError) in
                try operations.status(daemon: daemon.status)
            })
    }

    func timeline(email: String) async throws(APIError) -> APIReply {
        try APIReply(
            encoding: try await perform { operations throws(APIError) in
                let address = try Operations.address(email, field: "email")
                let runtime = operations.runtime
                do {
                    guard try runtime.store.prospect(email: address) != nil else {
                        throw APIError.notFound("no prospect \(address)", field: "email")
                    }
                    return try TimelineReport(runtime: runtime, email: address.description)
                } catch let error as APIError {
                    throw error
                } catch {
                    throw .internalError((error as? CommandFailure)?.message ?? "\(error)")
                }
            })
    }

    func exportSuppressions() async throws(APIError) -> String {
        try await perform { operations throws(APIError) in try operations.exportSuppressions() }
    }

    func importSuppressions(csv: [UInt8]) async throws(APIError) -> APIReply {
        try APIReply(
            encoding: try await perform { operations throws(APIError) in
                try operations.importSuppressions(InputStream(data: Data(csv)), name: "request body", source: "api")
            })
    }

    func health() async -> APIReply {
        let store = daemon.store
        let healthy = await Daemon.offload {
            do {
                _ = try store.nextDueTime()
                return true
            } catch {
                return false
            }
        }
        let body = Data(#"{"status":"\#(healthy ? "ok" : "state database unreadable")"}"#.utf8)
        return APIReply(healthy ? .ok : .serviceUnavailable, json: body)
    }

    func metrics() async -> String {
        let daemon = self.daemon
        return await Daemon.offload {
            if let summary = try? daemon.store.summary(now: daemon.clock.now()) {
                daemon.metrics.setQueue(due: summary.dueNow, pending: summary.pending)
            }
            return daemon.metrics.exposition()
        }
    }

    /// Runs an operation on the daemon's current runtime, off the concurrency pool (SQLite and SMTP block).
    private func perform<Report: Sendable>(
        _ body: @escaping @Sendable (Operations) throws(APIError) -> Report
    ) async throws(APIError) -> Report {
        let daemon = self.daemon
        return try await Daemon.offload {
            Result { () throws(APIError) in try body(Operations(runtime: daemon.runtime)) }
        }
        .get()
    }
}
