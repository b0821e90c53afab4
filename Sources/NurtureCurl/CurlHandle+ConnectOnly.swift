import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Talking over a connection that `perform` opened with `CurlOption.connectOnly`: libcurl has done TCP, TLS (or
/// STARTTLS) and the login, and the caller speaks the protocol itself.
extension CurlHandle {
    /// Sends all of `bytes`, waiting at most `timeout` each time the socket has no room.
    package func send(_ bytes: [UInt8], timeout: Duration) -> CurlCode {
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { buffer in
                curl_easy_send(easy, buffer.baseAddress! + offset, buffer.count - offset, &sent)
            }
            if code == CURLE_AGAIN {
                guard waitForSocket(POLLOUT, timeout: timeout) else { return .timedOut }
                continue
            }
            guard code == CURLE_OK else { return CurlCode(code) }
            offset += sent
        }
        return .ok
    }

    /// Appends the bytes that have arrived (at least one) to `buffer`, waiting at most `timeout` for them.
    /// `.connectionClosed` when the server closed the connection.
    package func receive(into buffer: inout [UInt8], timeout: Duration) -> CurlCode {
        let capacity = 64 * 1024
        // TLS may hold decrypted bytes the socket no longer shows, so read first and wait only when told to.
        while true {
            var received = 0
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: capacity))
            let code = buffer.withUnsafeMutableBytes { bytes in
                curl_easy_recv(easy, bytes.baseAddress! + start, capacity, &received)
            }
            buffer.removeLast(capacity - (code == CURLE_OK ? received : 0))
            if code == CURLE_AGAIN {
                guard waitForSocket(POLLIN, timeout: timeout) else { return .timedOut }
                continue
            }
            guard code == CURLE_OK else { return CurlCode(code) }
            return received > 0 ? .ok : .connectionClosed
        }
    }

    /// Shuts the connection down at the socket, so that the goodbye libcurl says on cleanup fails at once instead of
    /// waiting for a server that is out of step (after a timeout or a garbled reply).
    package func abandonConnection() {
        guard let socket = activeSocket() else { return }
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    private func activeSocket() -> curl_socket_t? {
        var socket = CURL_SOCKET_BAD
        guard nurture_curl_getinfo_socket(easy, &socket) == CURLE_OK, socket != CURL_SOCKET_BAD else { return nil }
        return socket
    }

    /// Waits until the socket is ready for `events`; false after `timeout`, or when there is no socket.
    private func waitForSocket(_ events: Int32, timeout: Duration) -> Bool {
        guard let socket = activeSocket() else { return false }
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var request = pollfd(fd: socket, events: Int16(events), revents: 0)
            let ready = poll(&request, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }
}
