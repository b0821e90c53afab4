import Foundation
import NurtureMail

/// What Python's `email` package, with its strict policy, reads in a message: an independent second opinion on
/// the bytes `MessageBuilder` writes. See `Support/parse_message.py`.
struct ParsedMessage: Decodable {
    struct Address: Decodable, Equatable {
        /// As Python's strict address parser reads it.
        var displayName: String
        /// As RFC 2047 §6.2 reads it (see the script), when the name is encoded words.
        var displayNameRfc2047: String?
        var address: String
    }

    struct Part: Decodable {
        var contentType: String
        var charset: String?
        var transferEncoding: String?
        var content: String
    }

    var headerNames: [String]
    var from: Address
    var to: Address
    var replyTo: Address?
    var subject: String
    var messageId: String
    var date: String
    var dateIso: String?
    var mimeVersion: String
    var listUnsubscribe: String?
    var listUnsubscribePost: String?
    /// Name and value of each `X-` header.
    var extraHeaders: [[String]]
    var contentType: String
    var boundary: String?
    var parts: [Part]
    var longestLine: Int
    var bareLineFeeds: Int
    var bareCarriageReturns: Int
    var nonAsciiBytes: Int
    var defects: [String]
}

struct PythonParserFailure: Error, CustomStringConvertible {
    var description: String
}

enum PythonEmailParser {
    /// Debian's Python, whose `email` package is the reference; the `python3` first on PATH may be another.
    static let python = "/usr/bin/python3"
    static let script = Fixture.testsFolder.appendingPathComponent("Support/parse_message.py").path

    static func parse(_ message: EncodedMessage) throws -> ParsedMessage {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nurture-mail-\(UUID()).eml")
        try Data(message.bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, file.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would otherwise block the script forever.
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let said = String(decoding: stdout + stderr, as: UTF8.self)
            throw PythonParserFailure(description: "Python refused the message (\(process.terminationStatus)): \(said)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ParsedMessage.self, from: stdout)
    }
}
