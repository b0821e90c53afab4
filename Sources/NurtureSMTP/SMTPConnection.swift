import NurtureCurl

/// The libcurl handle that carries the SMTP connection, and the transcript its debug lines feed.
final class SMTPConnection {
    let handle: CurlHandle
    private let recorder = Recorder()

    init() throws(SMTPConfigurationError) {
        do {
            handle = try CurlHandle()
        } catch {
            throw SMTPConfigurationError(.libcurlUnavailable, error.message)
        }
        // The recorder does not hold the handle, so the handle's closure makes no cycle.
        handle.trace = { [recorder] direction, bytes in
            switch direction {
            case .received: recorder.transcript.serverSent(bytes)
            case .sent: recorder.transcript.clientSent(bytes)
            }
        }
    }

    /// What the server said during the current transfer.
    var transcript: SMTPTranscript { recorder.transcript }

    /// Readies the next transfer: `message` is what the upload reads, and the transcript starts afresh.
    func start(upload message: [UInt8]) {
        handle.startUpload(message)
        recorder.transcript = SMTPTranscript()
    }

    private final class Recorder {
        var transcript = SMTPTranscript()
    }
}
