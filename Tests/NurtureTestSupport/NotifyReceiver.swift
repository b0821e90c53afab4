import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What systemd would be for `sd_notify`: a datagram socket the daemon under test writes `READY=1` and friends to.
public final class NotifyReceiver: @unchecked Sendable {
    // Only the test thread that owns it reads from the socket.
    public let path: String
    private let descriptor: Int32

    public init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError(description: "socket() failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestSetupError(description: "bind(\(path)) failed: \(errno)") }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// The next message, or nil if none comes within `timeout`.
    public func next(within timeout: Duration = .seconds(10)) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    /// Messages until one contains `field` (e.g. `READY=1`), within `timeout`; nil if it never came.
    public func waitFor(_ field: String, within timeout: Duration = .seconds(10)) -> [String]? {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            guard let message = next(within: deadline - ContinuousClock.now) else { break }
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(field)) { return seen }
        }
        return nil
    }
}
