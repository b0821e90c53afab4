import Foundation

/// Turns the bytes of a text part or an encoded word into a string, given the charset the sender declared.
///
/// UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 are decoded here; anything else, or bytes that do
/// not fit the declared charset, is decoded lossily (UTF-8 when the bytes are valid UTF-8, else Windows-1252),
/// because a reply must still be read when its charset label is wrong or exotic. Never fails.
enum Charset {
    static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        switch normalizedName(charset) {
        case "utf8", "utf-8", "unicode-1-1-utf-8":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-15", "iso8859-15", "latin9", "latin-9", "l9":
            return latin9(bytes)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
            "windows-1252", "cp1252", "x-cp1252":
            // Mail labelled ISO-8859-1 is in practice Windows-1252 (smart quotes, the euro); browsers and mail
            // readers decode it so, and the C1 controls it would otherwise mean are never intended.
            return windows1252(bytes)
        default:
            // us-ascii, unlabelled and unknown charsets: senders routinely put UTF-8 or Windows-1252 behind them.
            return lossy(bytes)
        }
    }

    /// UTF-8 when the bytes are valid UTF-8, Windows-1252 otherwise: for raw 8-bit header values and
    /// unknown charsets.
    static func lossy(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return windows1252(bytes)
    }

    static func windows1252(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte), let scalar = Unicode.Scalar(windows1252High[Int(byte) - 0x80]) {
                scalars.append(scalar)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    static func latin9(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value: UInt32
            switch byte {
            case 0xA4: value = 0x20AC
            case 0xA6: value = 0x0160
            case 0xA8: value = 0x0161
            case 0xB4: value = 0x017D
            case 0xB8: value = 0x017E
            case 0xBC: value = 0x0152
            case 0xBD: value = 0x0153
            case 0xBE: value = 0x0178
            default: value = UInt32(byte)
            }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    /// `UTF-8`, `"utf-8"`, `utf-8*en` (RFC 2231 language suffix) all become `utf-8`.
    static func normalizedName(_ charset: String?) -> String {
        guard let charset else { return "" }
        var name = charset.trimmingCharacters(in: [" ", "\t", "\""])
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        return name.lowercased()
    }

    /// 0x80...0x9F in Windows-1252; the five unassigned bytes keep their C1 code points.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
