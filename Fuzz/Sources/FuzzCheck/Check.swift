/// A fuzz target's own check: unlike `precondition`, it keeps its message in a release build, so the crash log
/// says which promise an input broke.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// A fuzz input cut at its 0xFF bytes (never UTF-8) into the several texts a target needs, empty ones kept so
/// each keeps its place.
public func pieces(_ data: UnsafePointer<UInt8>, _ size: Int) -> [String] {
    UnsafeBufferPointer(start: data, count: size)
        .split(separator: 0xFF, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
}
