/// Header text made safe to show: decoded, one line, no control characters.
enum HeaderText {
    /// An unstructured value (Subject, Thread-Topic): encoded words decoded, then cleaned.
    static func unstructured(_ rawValue: String) -> String {
        oneLine(EncodedWordDecoder.decode(rawValue))
    }

    /// Control characters become spaces (an encoded word can decode to CR LF, and a name or subject ends up
    /// in the header of the owner's alert), runs of white space become one space, and the ends are trimmed.
    static func oneLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isInvisibleFormatting(scalar) { continue }
            if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Bidirectional overrides and zero-width characters, which can make a name or an excerpt read as
    /// something else than it is.
    static func isInvisibleFormatting(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
