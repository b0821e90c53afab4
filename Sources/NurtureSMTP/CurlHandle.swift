import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libcurl's process-wide setup, run once (global `let`s are initialised exactly once, thread-safely).
/// SIGPIPE is ignored as well: CURLOPT_NOSIGNAL keeps libcurl's hands off signals, so a server closing a TLS
/// socket while we write would otherwise kill the daemon.
private let curlGlobalInitCode: UInt32 = {
    _ = signal(SIGPIPE, SIG_IGN)
    return curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue
}()

/// What libcurl's callbacks read and write during one transfer. They reach it through the raw pointer given as
/// CURLOPT_READDATA and CURLOPT_DEBUGDATA, so it is a class that the handle keeps alive.
final class CurlExchange {
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    var transcript = SMTPTranscript()

    func start(upload message: [UInt8]) {
        upload = message
        uploadOffset = 0
        transcript = SMTPTranscript()
    }

    /// Copies the next piece of the message into libcurl's buffer; 0 means the end of the message.
    func fill(_ buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        return count
    }
}

/// The one owner of a libcurl easy handle. Not thread-safe: libcurl forbids using a handle from two threads at
/// once, so `CurlSMTPTransport` keeps it behind a mutex.
///
/// Keeping the handle (rather than making one per message) is what keeps the SMTP connection open between
/// messages: libcurl caches the connection in the handle and reuses it on the next `perform`.
final class CurlHandle {
    private let easy: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    let exchange = CurlExchange()

    init() throws(SMTPConfigurationError) {
        guard curlGlobalInitCode == CURLE_OK.rawValue else {
            throw SMTPConfigurationError(
                .libcurlUnavailable, "libcurl could not be initialised (curl_global_init failed)")
        }
        guard let easy = curl_easy_init() else {
            throw SMTPConfigurationError(.libcurlUnavailable, "libcurl could not create a handle (out of memory?)")
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let exchangePointer = Unmanaged.passUnretained(exchange).toOpaque()
        let codes = [
            nurture_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1),
            nurture_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer),
            nurture_curl_setopt_read_function(easy, curlReadCallback),
            nurture_curl_setopt_pointer(easy, CURLOPT_READDATA, exchangePointer),
            // Verbose output goes to the debug callback only, never to stderr: it is how we learn the replies.
            nurture_curl_setopt_debug_function(easy, curlDebugCallback),
            nurture_curl_setopt_pointer(easy, CURLOPT_DEBUGDATA, exchangePointer),
            nurture_curl_setopt_long(easy, CURLOPT_VERBOSE, 1),
        ]
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            // Every property is set, so throwing runs deinit, which frees the handle and the buffer.
            throw SMTPConfigurationError(
                .libcurlUnavailable, "libcurl refused a basic option: \(Self.name(of: failed))")
        }
    }

    deinit {
        // Closing sends QUIT, which reaches the debug callback: `exchange` is still alive here.
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) -> CURLcode {
        nurture_curl_setopt_long(easy, option, value)
    }

    /// A size option (curl_off_t, which need not be a C long).
    func setFileSize(_ size: Int) -> CURLcode {
        nurture_curl_setopt_off_t(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(size))
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        nurture_curl_setopt_string(easy, option, value)
    }

    /// Runs one transfer with `option` set to a list of `items`, which libcurl only borrows: the list lives until
    /// `perform` has returned.
    func perform(with option: CURLoption, list items: [String]) -> CURLcode {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let longer = curl_slist_append(list, item) else {
                curl_slist_free_all(list)
                return CURLE_OUT_OF_MEMORY
            }
            list = longer
        }
        defer {
            _ = nurture_curl_setopt_slist(easy, option, nil)
            curl_slist_free_all(list)
        }
        let setCode = nurture_curl_setopt_slist(easy, option, list)
        guard setCode == CURLE_OK else { return setCode }
        errorBuffer[0] = 0
        return curl_easy_perform(easy)
    }

    func info(_ item: CURLINFO) -> Int {
        var value = 0
        return nurture_curl_getinfo_long(easy, item, &value) == CURLE_OK ? value : 0
    }

    /// libcurl's own words for the last failure: the error buffer when it wrote one, else the generic text.
    func detail(of code: CURLcode) -> String {
        let written = String(cString: errorBuffer)
        return written.isEmpty ? Self.name(of: code) : written
    }

    static func name(of code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

private func curlReadCallback(
    buffer: UnsafeMutablePointer<CChar>?, size: Int, count: Int, userData: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let userData else { return Int(CURL_READFUNC_ABORT) }
    let (capacity, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return Int(CURL_READFUNC_ABORT) }
    return Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue().fill(buffer, capacity: capacity)
}

private func curlDebugCallback(
    handle: UnsafeMutableRawPointer?, type: curl_infotype, data: UnsafeMutablePointer<CChar>?, size: Int,
    userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let userData, type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT else { return 0 }
    let exchange = Unmanaged<CurlExchange>.fromOpaque(userData).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if type == CURLINFO_HEADER_IN {
        exchange.transcript.serverSent(bytes)
    } else {
        exchange.transcript.clientSent(bytes)
    }
    return 0
}
