/// Splits the header section off the front of a message or body part (RFC 5322 §2.2, §3.5).
///
/// Accepts CRLF and bare LF line endings. A line that is neither a field nor a continuation ends the header
/// section early (as if a blank line were missing) and is noted as a defect.
struct HeaderSection {
    var headers: InboundHeaders
    /// Where the body starts: just after the blank line, or at the first line that is not a header.
    var bodyStart: Int
    /// False when the first line is not a field at all: a body part without headers, or not a message.
    var startsWithField: Bool
    var defects: [ParseDefect]

    static func parse(_ bytes: ArraySlice<UInt8>, limits: InboundParseLimits) -> HeaderSection {
        var fields: [InboundHeaders.Field] = []
        var current: (name: String, value: [UInt8])?
        var storedBytes = 0
        var truncated = false
        var defects: [ParseDefect] = []
        var startsWithField = false
        var position = bytes.startIndex
        var bodyStart = bytes.endIndex
        var isFirstLine = true

        func finishField() {
            guard let field = current else { return }
            current = nil
            guard !truncated else { return }
            storedBytes += field.name.utf8.count + field.value.count
            guard fields.count < limits.maximumHeaderFields, storedBytes <= limits.maximumHeaderBytes else {
                truncated = true
                defects.append(.headerLimitReached)
                return
            }
            fields.append(InboundHeaders.Field(name: field.name, rawValue: trimmedText(field.value)))
        }

        while position < bytes.endIndex {
            let line = Lines.line(in: bytes, from: position)
            let content = bytes[line.content]
            if content.isEmpty {
                bodyStart = line.next
                break
            }
            if isFirstLine, content.starts(with: "From ".utf8), fieldNameEnd(content) == nil {
                // An mbox separator left in front of the message.
                isFirstLine = false
                position = line.next
                continue
            }
            if let first = content.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), current != nil {
                // Unfolding: the line break goes, the white space stays. Past the limit nothing is kept.
                if !truncated, (current?.value.count ?? 0) <= limits.maximumHeaderBytes {
                    current?.value.append(contentsOf: content)
                }
            } else if let colon = fieldNameEnd(content) {
                finishField()
                startsWithField = startsWithField || isFirstLine
                let name = String(decoding: content[content.startIndex..<colon], as: UTF8.self)
                current = (name.trimmingTrailingWhiteSpace(), Array(content[(colon + 1)...]))
            } else {
                if !isFirstLine { defects.append(.malformedHeaderLine) }
                bodyStart = position
                break
            }
            isFirstLine = false
            position = line.next
        }
        finishField()
        return HeaderSection(
            headers: InboundHeaders(fields), bodyStart: bodyStart, startsWithField: startsWithField,
            defects: defects)
    }

    /// The index of the colon ending a field name: printable ASCII without `:`, optionally followed by white
    /// space (RFC 5322 §4.5.1, obsolete but still sent).
    private static func fieldNameEnd(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex, line[index] > 0x20, line[index] < 0x7F, line[index] != UInt8(ascii: ":") {
            index += 1
        }
        guard index > line.startIndex else { return nil }
        while index < line.endIndex, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t") {
            index += 1
        }
        guard index < line.endIndex, line[index] == UInt8(ascii: ":") else { return nil }
        return index
    }

    private static func trimmedText(_ bytes: [UInt8]) -> String {
        var slice = bytes[...]
        while let first = slice.first, EncodedWordDecoder.isWhiteSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, EncodedWordDecoder.isWhiteSpace(last) { slice = slice.dropLast() }
        return Charset.lossy(slice)
    }
}

/// Lines of bytes ending in LF or CRLF.
enum Lines {
    /// The line starting at `start`: its content without the line break, and where the next line starts.
    static func line(in bytes: ArraySlice<UInt8>, from start: Int) -> (content: Range<Int>, next: Int) {
        guard let lineFeed = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            return (start..<bytes.endIndex, bytes.endIndex)
        }
        var end = lineFeed
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return (start..<end, lineFeed + 1)
    }
}

extension StringProtocol {
    func trimmingTrailingWhiteSpace() -> String {
        var result = Substring(self)
        while result.last == " " || result.last == "\t" { result = result.dropLast() }
        return String(result)
    }
}
