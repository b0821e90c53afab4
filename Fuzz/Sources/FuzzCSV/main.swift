import Foundation
import FuzzCheck

/// A CSV file for `nurture import`: records, or one clear failure, and never a crash. `CSVScanner.swift` is the
/// importer's own file (a link into Sources/nurture), compiled in here because the executable's module cannot be
/// imported.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    var scanner = CSVScanner(stream: InputStream(data: bytes))
    var records = 0
    var lastLine = 1
    var fieldBytes = 0
    while let record = scanner.next() {
        records += 1
        check(!record.isEmpty, "a record without fields")
        check(scanner.recordLine >= lastLine, "record line \(scanner.recordLine) after line \(lastLine)")
        check(scanner.line >= scanner.recordLine, "reading line \(scanner.line) before \(scanner.recordLine)")
        lastLine = scanner.recordLine
        fieldBytes += record.reduce(0) { $0 + $1.utf8.count }
        _ = scanner.recordProblem
    }
    // Every record holds at least a line's worth of input, and no field holds more than the input (a replaced
    // byte may grow to three).
    check(records <= size, "\(records) records from \(size) bytes")
    check(fieldBytes <= 3 * size, "\(fieldBytes) bytes of fields from \(size) bytes")
    if scanner.failure != nil { check(scanner.failureLine >= 1, "a failure before line 1") }
    return 0
}
