import Foundation
import NurtureHTTP
import NurtureTestSupport
import Testing

struct APITokenTests {
    @Test func onlyTheExactTokenMatches() throws {
        let token = try #require(APIToken("0123456789abcdef0123"))
        #expect(token.matches(Array("0123456789abcdef0123".utf8)))
        for other in [
            "0123456789abcdef012", "0123456789abcdef01234", "1123456789abcdef0123", "", "0123456789abcdef0124",
        ] {
            #expect(!token.matches(Array(other.utf8)), "\(other)")
        }
    }

    /// `matches` runs over every byte of the token whatever the candidate (no early return at the first
    /// difference, no length check before the loop), so these are about what it answers, not how fast.
    @Test func aDifferenceAtAnyPositionOrOfAnyLengthIsRefused() throws {
        let text = "0123456789abcdef0123456789abcdef"
        let token = try #require(APIToken(text))
        let bytes = Array(text.utf8)
        for index in bytes.indices {
            for change: UInt8 in [0x01, 0x20, 0x80] {
                var altered = bytes
                altered[index] ^= change
                #expect(!token.matches(altered), "byte \(index) changed by \(change)")
            }
        }
        for length in 0..<bytes.count {
            #expect(!token.matches(bytes.prefix(length)), "the first \(length) bytes")
            #expect(!token.matches(bytes.suffix(length)), "the last \(length) bytes")
        }
        for padded in [bytes + [0], [0] + bytes, bytes + bytes, bytes + Array("x".utf8), Array("x".utf8) + bytes] {
            #expect(!token.matches(padded), "\(padded.count) bytes holding the token")
        }
        #expect(!token.matches(Array(text.uppercased().utf8)))
        #expect(!token.matches([UInt8](repeating: 0, count: bytes.count)))
    }

    @Test func theTokenMatchesInTheSliceTheMiddlewarePasses() throws {
        let token = try #require(APIToken("0123456789abcdef0123\n"))
        let header = token.headerValue
        #expect(header == "Bearer 0123456789abcdef0123")
        #expect(token.matches(header.utf8.dropFirst("Bearer ".utf8.count)))
        #expect(!token.matches(header.utf8.dropFirst("Bearer".utf8.count)))
        #expect(!token.matches(header.utf8))
    }

    @Test(arguments: ["short", "has a space in it somewhere", "   "])
    func aWeakOrMalformedTokenIsRefused(text: String) {
        #expect(APIToken(text) == nil)
    }

    @Test func aMissingTokenFileIsCreatedPrivateAndReadBackTheSame() throws {
        let folder = try TemporaryFolder([:])
        let path = folder.path + "/state/api-token"
        let created = try APIToken.loadOrCreate(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.count == 65, "64 hex digits and a newline")
        let again = try APIToken.loadOrCreate(at: path)
        #expect(again.headerValue == created.headerValue)
        #expect(try APIToken.load(at: path).headerValue == created.headerValue)
    }

    @Test func aTokenFileTooWeakIsAnErrorNamingTheFile() throws {
        let folder = try TemporaryFolder(["api-token": "abc\n"])
        #expect {
            try APIToken.loadOrCreate(at: folder.path + "/api-token")
        } throws: { error in
            "\(error)".hasPrefix("API token file \(folder.path)/api-token: the token must be at least 16")
        }
    }
}
