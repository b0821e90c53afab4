import Foundation
import NurtureCore

/// The unsubscribe links a campaign email carries in its headers, so mail clients can show an "Unsubscribe" button.
public struct ListUnsubscribe: Sendable, Hashable {
    /// The one-click endpoint: mail providers POST `List-Unsubscribe=One-Click` to it (RFC 8058).
    /// It must be https; http is accepted only for a loopback host, so a local demo works.
    public var url: String
    /// The address an unsubscribe email goes to, for clients that do not do one-click.
    public var mailto: EmailAddress

    public init(url: String, mailto: EmailAddress) {
        self.url = url
        self.mailto = mailto
    }

    /// A URL longer than this would not fit its 998-octet header line beside the field name.
    static let maximumURLLength = 900
    static let urlField = "List-Unsubscribe URL"

    /// `List-Unsubscribe` and `List-Unsubscribe-Post`; call `validateURL()` first.
    var headerFields: [HeaderField] {
        let mailtoURL = "mailto:\(Self.percentEncoded(mailto.description))?subject=unsubscribe"
        return [
            HeaderField("List-Unsubscribe", pieces: ["<\(url)>,", " <\(mailtoURL)>"]),
            HeaderField("List-Unsubscribe-Post", pieces: ["List-Unsubscribe=One-Click"]),
        ]
    }

    /// Refuses a URL that is not https (or http on loopback), or that would break out of its angle brackets.
    func validateURL() throws(MessageError) {
        // RFC 2369 puts the URL between angle brackets, so a `>` or white space would end it early.
        if let bad = url.unicodeScalars.first(where: {
            $0.value <= 0x20 || $0.value >= 0x7F || "<>".unicodeScalars.contains($0)
        }) {
            let name = bad.properties.name.map { "a \($0.lowercased())" } ?? "the character U+\(hex(bad))"
            throw invalid("holds \(name); percent-encode it")
        }
        guard url.utf8.count <= Self.maximumURLLength else {
            throw invalid("is \(url.utf8.count) characters long; keep it under \(Self.maximumURLLength)")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else {
            throw invalid("is not an absolute URL; write it as https://host/path")
        }
        switch scheme {
        case "https": return
        case "http" where Loopback.contains(host: host): return
        case "http": throw invalid("uses http; mail providers require https for one-click unsubscribe")
        default: throw invalid("uses `\(scheme):`; it must be an https URL")
        }
    }

    private func invalid(_ problem: String) -> MessageError {
        MessageError(.invalidUnsubscribeURL, field: Self.urlField, "the List-Unsubscribe URL `\(url)` \(problem)")
    }

    private func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// RFC 6068: an address in a mailto URI has `%`, `?`, `#`, `&` and friends percent-encoded; atext allows them.
    /// Byte by byte, every byte of UTF-8 outside the set as `%XX`: what Foundation's `addingPercentEncoding` does,
    /// without a `CharacterSet` built and a bridge to `NSString` crossed on every message.
    static func percentEncoded(_ address: String) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(address.utf8.count)
        for byte in address.utf8 {
            if isUnreservedInMailto(byte) {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded += Hex.uppercase(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// Letters, digits and `-._~!$'*+@`.
    private static func isUnreservedInMailto(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "-._~!$'*+@".utf8.contains(byte)
        }
    }
}
