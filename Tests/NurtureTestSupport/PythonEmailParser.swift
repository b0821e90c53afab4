import Foundation
import NurtureMail

/// What Python's `email` package, with its strict policy, reads in a message: an independent second opinion on
/// the bytes `MessageBuilder` writes. See `Scripts/parse_message.py`.
public struct ParsedMessage: Decodable, Sendable {
    public struct Address: Decodable, Equatable, Sendable {
        /// As Python's strict address parser reads it.
        public var displayName: String
        /// As RFC 2047 §6.2 reads it (see the script), when the name is encoded words.
        public var displayNameRfc2047: String?
        public var address: String
    }

    public struct Part: Decodable, Sendable {
        public var contentType: String
        public var charset: String?
        public var transferEncoding: String?
        public var content: String
    }

    public var headerNames: [String]
    public var from: Address
    public var to: Address
    public var replyTo: Address?
    public var subject: String
    public var messageId: String
    public var date: String
    public var dateIso: String?
    public var mimeVersion: String
    public var listUnsubscribe: String?
    public var listUnsubscribePost: String?
    /// Name and value of each `X-` header.
    public var extraHeaders: [[String]]
    public var contentType: String
    public var boundary: String?
    public var parts: [Part]
    public var longestLine: Int
    public var bareLineFeeds: Int
    public var bareCarriageReturns: Int
    public var nonAsciiBytes: Int
    public var defects: [String]
}

public struct PythonParserFailure: Error, CustomStringConvertible {
    public var description: String
}

public enum PythonEmailParser {
    /// Debian's Python, whose `email` package is the reference; the `python3` first on PATH may be another.
    static let python = URL(fileURLWithPath: "/usr/bin/python3")
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/parse_message.py").path

    public static func parse(_ message: EncodedMessage) throws -> ParsedMessage {
        try parse(bytes: message.bytes)
    }

    /// Parses a message as received, e.g. from a capture server's spool.
    public static func parse(bytes: [UInt8]) throws -> ParsedMessage {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-mail-\(UUID()).eml")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let result = try ChildProcess.run(python, arguments: [script, file.path])
        guard result.status == 0 else {
            // The script reports a refusal as JSON on stdout; Python itself complains on stderr.
            throw PythonParserFailure(
                description: "Python refused the message (\(result.status)): \(result.stdoutText)\(result.stderrText)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ParsedMessage.self, from: result.stdout)
    }
}
