import Foundation
import Synchronization

/// Runs a program to its end and captures what it prints: the one way the tests start a short-lived child.
public enum ChildProcess {
    /// How a child ended and everything it wrote.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data

        /// `stdout` as UTF-8 text.
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        /// `stderr` as UTF-8 text.
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments` and waits for it to exit.
    ///
    /// Both outputs are read at the same time: a child that fills one pipe while the parent waits on the other
    /// would otherwise block forever.
    /// - Parameters:
    ///   - directory: the working directory; the test's own when nil.
    ///   - environment: the child's whole environment; the test's own when nil.
    ///   - stdin: what the child reads; nothing by default, so a child that asks for input sees its end at once.
    public static func run(
        _ executable: URL,
        arguments: [String] = [],
        in directory: URL? = nil,
        environment: [String: String]? = nil,
        stdin: FileHandle = .nullDevice
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()

        let errorRead = BackgroundRead(errors.fileHandleForReading)
        let stdout = try output.fileHandleForReading.readToEnd() ?? Data()
        let stderr = try errorRead.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

/// One pipe read to its end on a thread of its own, while the caller reads the other.
///
/// A dedicated thread rather than a shared queue: a blocking read must not wait for, or hold, a pooled worker.
private final class BackgroundRead: Sendable {
    private let outcome = Mutex<Result<Data, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            let read = Result { try handle.readToEnd() ?? Data() }
            outcome.withLock { $0 = read }
            finished.signal()
        }.start()
    }

    /// Everything the pipe held, once its writer has closed it.
    func wait() throws -> Data {
        finished.wait()
        return try outcome.withLock { $0 }!.get()
    }
}
