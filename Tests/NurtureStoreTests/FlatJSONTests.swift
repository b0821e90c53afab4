import Foundation
import GRDB
import Testing

@testable import NurtureStore

/// The attributes reader reads what the store writes exactly as JSONDecoder would, and leaves anything else to it.
struct FlatJSONTests {
    private func decoded(_ text: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }

    @Test(arguments: [
        [:],
        ["first_name": "Dana"],
        ["note": "said \"hi\" / 👋", "path": #"C:\temp\new"#, "empty": "", "": "no name"],
        ["lines": "one\ntwo\r\nthree\tand a tab", "bell": "\u{07}\u{01}\u{1F}", "nul": "a\u{0}b"],
        ["name": "José Müller-Łukasiewicz", "company": "株式会社", "emoji": "👩‍💻🏳️‍🌈"],
        Dictionary(uniqueKeysWithValues: (0..<50).map { ("key\($0)", String(repeating: "v", count: $0)) }),
    ])
    func readsWhatTheStoreWritesAsJSONDecoderDoes(attributes: [String: String]) {
        let text = SQLiteStore.encode(attributes)
        #expect(FlatJSON.stringObject(text) == attributes)
        #expect(decoded(text) == attributes)
    }

    @Test(arguments: [
        #" { "a" : "1" ,"b":"2"} "#, #"{"slash":"a\/b"}"#, #"{"e":"caf\u00e9","E":"\u00C9"}"#, "{\n\t\"a\":\"b\"\r\n}",
    ])
    func readsOtherSpellingsOfAFlatObjectAsJSONDecoderDoes(text: String) {
        #expect(FlatJSON.stringObject(text) != nil)
        #expect(FlatJSON.stringObject(text) == decoded(text))
    }

    /// Left to JSONDecoder, which reads some of these and refuses the others.
    @Test(arguments: [
        #"{"n":1}"#, #"{"o":{"a":"b"}}"#, #"{"a":["b"]}"#, #"{"a":null}"#, #"{"a":"1","a":"2"}"#,
        #"{"wave":"\ud83d\udc4b"}"#, #"{"b":"\b\f"}"#, #"{"a":"b"} x"#, #"{"a":"b""#, "{\"a\":\"b\tc\"}", "",
        "[]", #"{"a":"b",}"#, #"{"a" "b"}"#, #"{"a":"\u12"}"#, #"{"a":"\x"}"#,
    ])
    func leavesAnythingElseToJSONDecoder(text: String) {
        #expect(FlatJSON.stringObject(text) == nil)
    }

    @Test func aHandEditedValueTheFastReaderLeavesIsStillReadThroughJSONDecoder() throws {
        let store = try SQLiteStore.inMemory()
        let prospect = try store.makeProspect("dana@acme.example", attributes: ["first_name": "Dana"])
        try store.writer.write { db in
            try db.execute(
                sql: #"UPDATE prospects SET attributes = '{"first_name":"Dana \ud83d\udc4b"}' WHERE id = ?"#,
                arguments: [prospect.id])
        }
        #expect(try store.prospect(id: prospect.id)?.attributes == ["first_name": "Dana 👋"])
    }
}
