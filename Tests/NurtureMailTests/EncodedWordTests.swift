import Foundation
import Testing

@testable import NurtureMail

@Suite struct EncodedWordTests {
    /// The bytes one RFC 2047 word carries, or nil if it is not a UTF-8 Q or B word.
    static func payload(of word: String) -> [UInt8]? {
        let parts = word.split(separator: "?", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "=", parts[1] == "utf-8", parts[4] == "=" else { return nil }
        switch parts[2] {
        case "b":
            return Data(base64Encoded: String(parts[3])).map(Array.init)
        case "q":
            return QuotedPrintableTests.decodeBytes(parts[3].replacingOccurrences(of: "_", with: " "))
        default:
            return nil
        }
    }

    static let samples = [
        "Olá, {{name}} — 10% off ☕",
        String(repeating: "東京の会議について ", count: 12),
        String(repeating: "👨‍👩‍👧‍👦🇵🇹👩🏽‍💻", count: 10),
        String(repeating: "Çafé ☕ für Zoë — ", count: 20),
        "e" + String(repeating: "\u{301}", count: 40),
        "under_score? equals= question? tab\t",
    ]

    @Test(arguments: samples)
    func wordsAreAtMost75LongAndEachHoldsWholeCharacters(_ text: String) throws {
        let words = EncodedWord.encode(text, firstWordLimit: 60)
        #expect(words.first.map { $0.count <= 60 } == true)
        #expect(words.allSatisfy { $0.count <= EncodedWord.maximumLength })
        var joined: [UInt8] = []
        for word in words {
            let bytes = try #require(Self.payload(of: word), "not a UTF-8 encoded word: \(word)")
            #expect(String(validating: bytes, as: UTF8.self) != nil, "\(word) splits a UTF-8 sequence")
            joined += bytes
        }
        #expect(String(decoding: joined, as: UTF8.self) == text)
    }

    @Test func graphemeClustersStayInOneWordWhenTheyFit() throws {
        let family = "👨‍👩‍👧‍👦"
        let words = EncodedWord.encode(String(repeating: family, count: 6))
        for word in words {
            let text = String(decoding: try #require(Self.payload(of: word)), as: UTF8.self)
            #expect(text.allSatisfy { $0 == Character(family) })
        }
    }

    @Test func mostlyASCIITextUsesQAndMostlyNonASCIIUsesB() {
        #expect(EncodedWord.preferredEncoding(for: "Olá, Dana") == .q)
        #expect(EncodedWord.preferredEncoding(for: "こんにちは") == .b)
    }

    @Test func qEncodesSpaceAsUnderscoreAndEscapesSpecials() {
        let word = EncodedWord.word(Array("é a_b?c=d\"e".utf8), .q)
        #expect(word == "=?utf-8?q?=C3=A9_a=5Fb=3Fc=3Dd=22e?=")
    }

    @Test func shortTextIsOneWord() {
        #expect(EncodedWord.encode("José Ñúñez") == ["=?utf-8?b?Sm9zw6kgw5HDusOxZXo=?="])
    }
}
