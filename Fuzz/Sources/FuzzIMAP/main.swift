import FuzzCheck

@testable import NurtureIMAP

/// What an IMAP server sends, cut into responses and read for their meaning (completion, UIDVALIDITY, SEARCH,
/// FETCH). The bytes arrive in pieces whose sizes the input's first byte decides; how the bytes are cut must
/// never change what is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    let whole = responses(of: bytes, pieceSize: bytes.count + 1)
    let pieced = responses(of: bytes, pieceSize: Int(first % 16) + 1)
    check(whole == pieced, "cutting the same bytes differently read \(whole) and then \(pieced)")
    for response in whole.responses {
        _ = response.text
        _ = (response.isUntagged, response.uidValidity, response.searchResults)
        if let completion = response.completion(for: "A1") { _ = completion.responseCode }
        _ = response.fetchedMessage
        _ = IMAPToken.tokens(of: response)
    }
    return 0
}

/// Every complete response, then the framing error that stopped the reading, if any.
private struct Reading: Equatable {
    var responses: [IMAPResponse] = []
    var failure: String?
}

private func responses(of bytes: [UInt8], pieceSize: Int) -> Reading {
    var reader = IMAPResponseReader()
    var reading = Reading()
    var start = 0
    while start < bytes.count {
        let end = min(start + pieceSize, bytes.count)
        reader.append(bytes[start..<end])
        start = end
        do {
            while let response = try reader.next() { reading.responses.append(response) }
        } catch {
            reading.failure = error.message
            return reading
        }
    }
    return reading
}
