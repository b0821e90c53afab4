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

/// Which way a protocol line went, in what libcurl's debug callback reports.
package enum CurlTraceDirection: Sendable {
    /// A line the server sent (CURLINFO_HEADER_IN); may hold one or several CRLF-ended lines.
    case received
    /// A line we sent (CURLINFO_HEADER_OUT). May carry credentials (AUTH): look, but never keep it.
    case sent
}

/// The one owner of a libcurl easy handle, and the only Swift type that calls libcurl. Not thread-safe: libcurl
/// forbids using a handle from two threads at once, so its owners keep it behind a mutex or on one thread.
///
/// Keeping the handle (rather than making one per transfer) is what keeps a connection open between transfers:
/// libcurl caches the connection in the handle and reuses it on the next `perform`.
package final class CurlHandle {
    let easy: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    private let callbacks = CurlCallbacks()

    package init() throws(CurlSetupError) {
        guard curlGlobalInitCode == CURLE_OK.rawValue else {
            throw CurlSetupError("libcurl could not be initialised (curl_global_init failed)")
        }
        guard let easy = curl_easy_init() else {
            throw CurlSetupError("libcurl could not create a handle (out of memory?)")
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let callbacksPointer = Unmanaged.passUnretained(callbacks).toOpaque()
        let codes = [
            nurture_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1),
            nurture_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer),
            nurture_curl_setopt_read_function(easy, curlReadCallback),
            nurture_curl_setopt_pointer(easy, CURLOPT_READDATA, callbacksPointer),
            // Verbose output goes to the debug callback only, never to stderr: it is how we learn the replies.
            nurture_curl_setopt_debug_function(easy, curlDebugCallback),
            nurture_curl_setopt_pointer(easy, CURLOPT_DEBUGDATA, callbacksPointer),
            nurture_curl_setopt_long(easy, CURLOPT_VERBOSE, 1),
        ]
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            // Every property is set, so throwing runs deinit, which frees the handle and the buffer.
            throw CurlSetupError("libcurl refused a basic option: \(CurlCode(failed))")
        }
    }

    deinit {
        // Closing may still say goodbye (QUIT, LOGOUT), which reaches the debug callback: `callbacks` is alive here.
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Called with every protocol line libcurl sends or receives, until replaced.
    package var trace: ((CurlTraceDirection, UnsafeRawBufferPointer) -> Void)? {
        get { callbacks.trace }
        set { callbacks.trace = newValue }
    }

    /// The bytes the next upload reads, from the start.
    package func startUpload(_ bytes: [UInt8]) {
        callbacks.startUpload(bytes)
    }

    package func set(_ option: CurlOption, _ value: Int) -> CurlCode {
        CurlCode(nurture_curl_setopt_long(easy, option.raw, value))
    }

    /// libcurl copies string options, so the Swift string need not outlive the call.
    package func set(_ option: CurlOption, _ value: String) -> CurlCode {
        CurlCode(nurture_curl_setopt_string(easy, option.raw, value))
    }

    /// The size of the next upload (curl_off_t, which need not be a C long).
    package func setUploadSize(_ size: Int) -> CurlCode {
        CurlCode(nurture_curl_setopt_off_t(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(size)))
    }

    /// With `true`, TLS is mandatory: implicit TLS for smtps:// and imaps://, and STARTTLS for smtp:// and imap://,
    /// where libcurl would otherwise carry on in plain text when the server does not offer it.
    package func requireTLS(_ required: Bool) -> CurlCode {
        let mode = required ? CURLUSESSL_ALL : CURLUSESSL_NONE
        return CurlCode(nurture_curl_setopt_long(easy, CURLOPT_USE_SSL, Int(mode.rawValue)))
    }

    /// Runs one transfer with the options set so far.
    package func perform() -> CurlCode {
        errorBuffer[0] = 0
        return CurlCode(curl_easy_perform(easy))
    }

    /// Runs one transfer with `option` set to a list of `items`, which libcurl only borrows: the list lives until
    /// `perform` has returned.
    package func perform(with option: CurlOption, list items: [String]) -> CurlCode {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let longer = curl_slist_append(list, item) else {
                curl_slist_free_all(list)
                return CurlCode(CURLE_OUT_OF_MEMORY)
            }
            list = longer
        }
        defer {
            _ = nurture_curl_setopt_slist(easy, option.raw, nil)
            curl_slist_free_all(list)
        }
        let setCode = nurture_curl_setopt_slist(easy, option.raw, list)
        guard setCode == CURLE_OK else { return CurlCode(setCode) }
        return perform()
    }

    package func info(_ item: CurlInfo) -> Int {
        var value = 0
        return nurture_curl_getinfo_long(easy, item.raw, &value) == CURLE_OK ? value : 0
    }

    /// libcurl's own words for the last failure: the error buffer when it wrote one, else the generic text.
    package func detail(of code: CurlCode) -> String {
        let written = String(cString: errorBuffer)
        return written.isEmpty ? code.description : written
    }
}

/// What libcurl's callbacks read and write during one transfer. They reach it through the raw pointer given as
/// CURLOPT_READDATA and CURLOPT_DEBUGDATA, so it is a class that the handle keeps alive.
private final class CurlCallbacks {
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    var trace: ((CurlTraceDirection, UnsafeRawBufferPointer) -> Void)?

    func startUpload(_ bytes: [UInt8]) {
        upload = bytes
        uploadOffset = 0
    }

    /// Copies the next piece of the upload into libcurl's buffer; 0 means the end.
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

private func curlReadCallback(
    buffer: UnsafeMutablePointer<CChar>?, size: Int, count: Int, userData: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let userData else { return Int(CURL_READFUNC_ABORT) }
    let (capacity, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return Int(CURL_READFUNC_ABORT) }
    return Unmanaged<CurlCallbacks>.fromOpaque(userData).takeUnretainedValue().fill(buffer, capacity: capacity)
}

private func curlDebugCallback(
    handle: UnsafeMutableRawPointer?, type: curl_infotype, data: UnsafeMutablePointer<CChar>?, size: Int,
    userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let userData, type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT else { return 0 }
    let callbacks = Unmanaged<CurlCallbacks>.fromOpaque(userData).takeUnretainedValue()
    callbacks.trace?(type == CURLINFO_HEADER_IN ? .received : .sent, UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
