import NurtureCore
import Synchronization

/// A transport that keeps messages in memory, for testing what sits above the transport.
///
/// Every send succeeds unless scripted otherwise: `script(_:)` answers the next sends in order,
/// `answer(_:for:)` answers every send to one recipient.
public final class MemoryMailTransport: MailTransport {
    /// One call to `send` and what it answered.
    public struct Attempt: Sendable, Equatable {
        public let message: [UInt8]
        public let from: EmailAddress
        public let to: EmailAddress
        public let result: DeliveryResult
    }

    private struct State {
        var attempts: [Attempt] = []
        var scripted: [DeliveryResult] = []
        var byRecipient: [EmailAddress: DeliveryResult] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Every send so far, failed ones included, oldest first.
    public var attempts: [Attempt] { state.withLock { $0.attempts } }

    /// The sends that were delivered, oldest first.
    public var delivered: [Attempt] { attempts.filter { $0.result.isDelivered } }

    /// The next sends answer these results, in order, before any per-recipient answer; then sends succeed again.
    public func script(_ results: DeliveryResult...) {
        state.withLock { $0.scripted.append(contentsOf: results) }
    }

    /// Every later send to `recipient` answers `result` (unless a scripted result comes first).
    public func answer(_ result: DeliveryResult, for recipient: EmailAddress) {
        state.withLock { $0.byRecipient[recipient] = result }
    }

    /// Forgets the attempts and every scripted answer.
    public func reset() {
        state.withLock { $0 = State() }
    }

    public func send(_ message: [UInt8], from: EmailAddress, to: EmailAddress) -> DeliveryResult {
        state.withLock { state in
            let result: DeliveryResult
            if !state.scripted.isEmpty {
                result = state.scripted.removeFirst()
            } else if let answer = state.byRecipient[to] {
                result = answer
            } else {
                result = .delivered(
                    SMTPReply(code: 250, text: "2.0.0 Ok: queued as memory-\(state.attempts.count + 1)"))
            }
            state.attempts.append(Attempt(message: message, from: from, to: to, result: result))
            return result
        }
    }
}
