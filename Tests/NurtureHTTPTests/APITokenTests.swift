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
