import Foundation

/// `value; name=token; name="quoted"; name*=utf-8''%C3%A9; name*0*=...; name*1=...`: the parameter syntax of
/// Content-Type and Content-Disposition (RFC 2045 §5.1, RFC 2231).
enum HeaderParameters {
    /// Continuations past this index are ignored: RFC 2231 sets no limit, so a hostile header could otherwise
    /// ask for an absurd reassembly.
    static let maximumSections = 100

    /// The leading value, lowercased and trimmed, and the parameters by lowercased name.
    static func parse(_ rawValue: String) -> (value: String, parameters: [String: String]) {
        let items = splitAtSemicolons(Array(rawValue.unicodeScalars))
        let value = (items.first ?? "").trimmingCharacters(in: [" ", "\t"]).lowercased()
        var plain: [String: String] = [:]
        var sections: [String: [Int: (text: String, isEncoded: Bool)]] = [:]
        for item in items.dropFirst() {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let name = item[..<equals].trimmingCharacters(in: [" ", "\t"]).lowercased()
            let value = unquoted(item[item.index(after: equals)...].trimmingCharacters(in: [" ", "\t"]))
            guard !name.isEmpty else { continue }
            let pieces = name.split(separator: "*", omittingEmptySubsequences: false)
            guard pieces.count > 1, let base = pieces.first else {
                if plain[name] == nil { plain[name] = value }
                continue
            }
            let isEncoded = name.hasSuffix("*")
            // `name*` is one encoded section; `name*N` and `name*N*` are numbered sections.
            let index = pieces.count == 2 && isEncoded ? 0 : Int(pieces[1]) ?? -1
            guard index >= 0, index < maximumSections else { continue }
            sections[String(base), default: [:]][index] = (value, isEncoded)
        }
        var parameters = plain
        for (name, parts) in sections {
            if let joined = join(parts) { parameters[name] = joined }
        }
        // Outlook and others RFC 2047-encode file names in plain parameters; nothing else legitimately holds `=?`.
        for name in ["name", "filename"] {
            if let value = parameters[name] { parameters[name] = HeaderText.oneLine(EncodedWordDecoder.decode(value)) }
        }
        return (value, parameters)
    }

    /// Joins sections 0, 1, 2... until one is missing. The charset comes from the first section's
    /// `charset'language'` prefix; encoded sections are percent-decoded.
    private static func join(_ parts: [Int: (text: String, isEncoded: Bool)]) -> String? {
        guard let first = parts[0] else { return nil }
        var charset: String?
        var bytes: [UInt8] = []
        var index = 0
        while let part = parts[index] {
            var text = Substring(part.text)
            if index == 0, first.isEncoded {
                let prefix = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if prefix.count == 3 {
                    charset = String(prefix[0])
                    text = prefix[2]
                }
            }
            bytes += part.isEncoded ? percentDecoded(text) : Array(text.utf8)
            index += 1
        }
        return Charset.decode(bytes, charset: charset ?? "utf-8")
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                output.append(value)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    /// Splits at `;` outside quoted strings.
    private static func splitAtSemicolons(_ scalars: [Unicode.Scalar]) -> [String] {
        var items: [String] = []
        var current = String.UnicodeScalarView()
        var inQuotes = false
        var escaped = false
        for scalar in scalars {
            if escaped {
                escaped = false
            } else if inQuotes, scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                inQuotes.toggle()
            } else if scalar == ";", !inQuotes {
                items.append(String(current))
                current = String.UnicodeScalarView()
                continue
            }
            current.append(scalar)
        }
        items.append(String(current))
        return items
    }

    /// `"a \"b\""` becomes `a "b"`; an unquoted token is returned as it is.
    private static func unquoted(_ text: String) -> String {
        guard text.first == "\"" else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                break
            } else {
                result.append(character)
            }
        }
        return result
    }
}
