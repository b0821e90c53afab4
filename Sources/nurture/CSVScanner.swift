import Foundation

/// RFC 4180 records read straight from bytes, streamed in blocks: a million-row import spends its time in SQLite,
/// not in splitting lines. (CSV.swift, used before, read a character at a time: a tenth of the speed needed.)
///
/// Fields are separated by commas and records by LF or CRLF; a field in double quotes may hold commas, line breaks
/// and `""` for a quote. A UTF-8 byte order mark at the start is skipped.
struct CSVScanner {
    private let stream: InputStream
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    /// The line being read (1-based).
    private(set) var line = 1
    /// The line the record `next()` returned last starts on.
    private(set) var recordLine = 1
    /// Set when the input stops being CSV; no records follow.
    private(set) var failure: String?
    /// Where the input stopped being CSV: the line of a quote that never closes, say.
    private(set) var failureLine = 1
    /// Why the record `next()` returned last cannot be trusted though it was read (a field that is not UTF-8).
    private(set) var recordProblem: String?

    static let blockSize = 256 * 1024

    init(stream: InputStream) {
        self.stream = stream
        stream.open()
        refill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// The next record's fields, or nil at the end (or after a failure).
    mutating func next() -> [String]? {
        guard failure == nil else { return nil }
        // A blank line between records (or at the end) is no record.
        while true {
            guard ensure(1) else { return nil }
            if buffer[position] == 0x0A {
                position += 1
                line += 1
            } else if buffer[position] == 0x0D, ensure(2), buffer[position + 1] == 0x0A {
                position += 2
                line += 1
            } else {
                break
            }
        }
        recordLine = line
        recordProblem = nil
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            guard ensure(1) else {
                fields.append(text(of: field))
                return fields
            }
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") && field.isEmpty {
                position += 1
                guard readQuoted(into: &field) else { return nil }
                continue
            }
            position += 1
            switch byte {
            case UInt8(ascii: ","):
                fields.append(text(of: field))
                field.removeAll(keepingCapacity: true)
            case 0x0A:
                line += 1
                fields.append(text(of: field))
                return fields
            case 0x0D where ensure(1) && buffer[position] == 0x0A:
                position += 1
                line += 1
                fields.append(text(of: field))
                return fields
            default:
                field.append(byte)
            }
        }
    }

    /// The field as text; bytes that are not UTF-8 (a file saved as Latin-1, say) make the record's problem rather
    /// than being silently replaced, so `José` never becomes `Jos�` in a prospect's email.
    private mutating func text(of field: [UInt8]) -> String {
        if let text = String(validating: field, as: UTF8.self) { return text }
        if recordProblem == nil {
            var (bytes, decoder, valid) = (field.makeIterator(), UTF8(), 0)
            while case .scalarValue(let scalar) = decoder.decode(&bytes) { valid += UTF8.width(scalar) }
            let byte = field[valid]
            let latin1 = byte >= 0xA0 ? " (`\(Character(Unicode.Scalar(byte)))` in Latin-1)" : ""
            recordProblem =
                "not UTF-8 text: byte 0x\(String(byte, radix: 16, uppercase: true))\(latin1) in "
                + "`\(String(decoding: field, as: UTF8.self))`; save the file as UTF-8"
        }
        return String(decoding: field, as: UTF8.self)
    }

    /// After an opening quote: up to the closing one, `""` read as `"`.
    private mutating func readQuoted(into field: inout [UInt8]) -> Bool {
        let opened = line
        while true {
            guard ensure(1) else {
                failure = "a quoted field opened on line \(opened) is never closed"
                failureLine = opened
                return false
            }
            let byte = buffer[position]
            position += 1
            if byte == UInt8(ascii: "\"") {
                if ensure(1), buffer[position] == UInt8(ascii: "\"") {
                    field.append(byte)
                    position += 1
                    continue
                }
                return true
            }
            if byte == 0x0A { line += 1 }
            field.append(byte)
        }
    }

    /// True when `count` bytes are available from `position`, reading more of the stream if needed.
    private mutating func ensure(_ count: Int) -> Bool {
        while buffer.count - position < count {
            guard !exhausted else { return false }
            refill()
        }
        return true
    }

    private mutating func refill() {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        let read = stream.read(&block, maxLength: block.count)
        if read > 0 {
            buffer.append(contentsOf: block[..<read])
        } else {
            exhausted = true
            if read < 0 {
                failure = "cannot read: \(stream.streamError.map { "\($0)" } ?? "unknown error")"
                failureLine = line
            }
        }
    }
}
