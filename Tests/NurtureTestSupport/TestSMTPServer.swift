import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a test could not set up its server or certificate.
public struct TestSetupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// The aiosmtpd server of `Scripts/smtp_server.py`, run as a child process on loopback for one test.
///
/// It is Debian's python3-aiosmtpd, importable only by /usr/bin/python3 (the first python3 on PATH may lack it).
public final class TestSMTPServer {
    /// One line of the server's `log.jsonl`.
    public struct LogEntry: Decodable, Sendable {
        public let event: String
        public let number: Int?
        public let mailFrom: String?
        public let recipients: [String]?
        public let ehlo: String?
        public let connection: Int
        public let tls: Bool?
        public let authenticated: Bool?

        enum CodingKeys: String, CodingKey {
            case event, number, connection, tls, authenticated, ehlo
            case mailFrom = "mail_from"
            case recipients = "rcpt_tos"
        }
    }

    public let port: Int
    /// The server's folder: messages, log.jsonl, stderr and certificate.
    public var spool: URL { folder.url }
    public let options: [String]
    /// The server's self-signed certificate, when it offers TLS: the client's CA file.
    public let certificate: TestCertificate?
    private let process: Process
    // Held only to keep the server's stdin open: the server quits when it closes, should this process die.
    private let input: Pipe
    private let errorLog: URL
    // Removed after `deinit` has stopped the server, as stored properties are released after its body.
    private let folder: TemporaryFolder

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/smtp_server.py")

    /// Starts a server, with a folder of its own, and returns once it accepts connections (it prints
    /// `READY <port>`). With `tls`, it offers STARTTLS (or, with `--implicit-tls`, TLS from the start) with a
    /// fresh self-signed certificate.
    public init(_ options: [String] = [], tls: Bool = false, port: Int = 0) throws {
        let folder = try TemporaryFolder()
        let spool = folder.url
        let certificate = tls ? try TestCertificate.generate(in: spool) : nil
        let errorLog = spool.appendingPathComponent("server.stderr")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments =
            [Self.script.path, "--port", "\(port)", "--spool", spool.path]
            + (certificate.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? []) + options
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()

        self.process = process
        self.input = input
        self.folder = folder
        self.options = options
        self.certificate = certificate
        self.errorLog = errorLog
        do {
            self.port = try Self.readReadyLine(from: output.fileHandleForReading, within: .seconds(15))
        } catch {
            self.port = 0
            stop()
            throw TestSetupError(description: "\(error); server stderr: \(self.standardError)")
        }
    }

    deinit {
        stop()
    }

    /// SIGTERM, then waits for the process to end (SIGKILL if it will not).
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A new server on the same port with the same options, and a fresh spool (stop this one first).
    public func restarted() throws -> TestSMTPServer {
        try TestSMTPServer(options, tls: certificate != nil, port: port)
    }

    public var standardError: String {
        (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
    }

    public func log() throws -> [LogEntry] {
        let url = spool.appendingPathComponent("log.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        // The server may be writing its last line right now: only whole lines count.
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        return try lines.filter { !$0.isEmpty }.map { try JSONDecoder().decode(LogEntry.self, from: Data($0.utf8)) }
    }

    public func messages() throws -> [LogEntry] {
        try log().filter { $0.event == "message" }
    }

    /// The bytes the server received as message `number` (1-based, in order of arrival).
    public func messageBytes(_ number: Int) throws -> [UInt8] {
        Array(try Data(contentsOf: spool.appendingPathComponent("\(number).eml")))
    }

    /// Polls the log until `condition` holds; the server writes it from its own thread.
    public func waitForLog(within timeout: Duration = .seconds(5), until condition: ([LogEntry]) -> Bool) throws -> Bool
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(try log()) { return true }
            usleep(20_000)
        }
        return condition(try log())
    }

    private static func readReadyLine(from handle: FileHandle, within timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !received.contains(UInt8(ascii: "\n")) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw TestSetupError(description: "the SMTP server did not say READY in time")
            }
            var pollFD = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&pollFD, 1, max(milliseconds, 1)) > 0 else { continue }
            let count = read(handle.fileDescriptor, &buffer, buffer.count)
            guard count > 0 else { throw TestSetupError(description: "the SMTP server exited before READY") }
            received += buffer[0..<count]
        }
        let line = String(decoding: received, as: UTF8.self).split(separator: "\n").first ?? ""
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            throw TestSetupError(description: "the SMTP server said `\(line)` instead of READY <port>")
        }
        return port
    }
}
