import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What systemd is to `sd_notify`: the datagram socket `nurture run` sends `READY=1` to via `NOTIFY_SOCKET`.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("bench-notify-\(UUID().uuidString.prefix(8))")
            .path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
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
        guard bound == 0 else { throw BenchError("bind(\(path)) failed: errno \(errno)") }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Waits for a datagram holding the line `field`; returns when it arrived, or nil after `timeout`.
    func waitFor(_ field: String, timeout: Double) -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(1, (deadline - ContinuousClock.now).seconds * 1000))
            guard poll(&poller, 1, left) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            let arrived = ContinuousClock.now
            guard count > 0 else { continue }
            let message = String(decoding: buffer[0..<count], as: UTF8.self)
            if message.split(separator: "\n").contains(Substring(field)) { return arrived }
        }
        return nil
    }
}
