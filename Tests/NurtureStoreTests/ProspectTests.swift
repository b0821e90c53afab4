import Foundation
import NurtureCore
import NurtureStore
import Testing

@Suite("Prospects")
struct ProspectTests {
    @Test func aNewProspectGetsTheDraftAndEmailAsItsChannel() throws {
        let store = try SQLiteStore.inMemory()
        let saved = try store.saveProspect(
            ProspectDraft(
                email: address("dana@acme.example"), attributes: ["first_name": "Dana"], timeZone: "Europe/Berlin"),
            at: t0)
        #expect(saved.email == (try address("dana@acme.example")))
        #expect(saved.attributes == ["first_name": "Dana"])
        #expect(saved.timeZone == "Europe/Berlin")
        #expect(saved.preferredChannel == .email)
        #expect(saved.createdAt == t0)
        #expect(try store.prospect(email: address("dana@acme.example")) == saved)
        #expect(try store.prospect(id: saved.id) == saved)
    }

    @Test func savingAgainMergesAttributesAndKeepsWhatTheDraftLeavesOut() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let first = try store.saveProspect(
            ProspectDraft(
                email: address("dana@acme.example"), attributes: ["first_name": "Dana", "company": "Acme"],
                timeZone: "America/New_York", preferredChannel: .phone),
            at: t0)
        let second = try store.saveProspect(
            ProspectDraft(
                email: address("dana@acme.example"), attributes: ["company": "Acme Corp", "phone": "+1 555"]),
            at: at(60))
        #expect(second.id == first.id)
        #expect(second.attributes == ["first_name": "Dana", "company": "Acme Corp", "phone": "+1 555"])
        #expect(second.timeZone == "America/New_York")
        #expect(second.preferredChannel == .phone)
        #expect(second.createdAt == t0)

        let third = try store.saveProspect(
            ProspectDraft(email: address("dana@acme.example"), timeZone: "Asia/Kolkata", preferredChannel: .email),
            at: at(120))
        #expect(third.timeZone == "Asia/Kolkata")
        #expect(third.preferredChannel == .email)
    }

    @Test func anEmailIsOneProspectWhateverItsCase() throws {
        let store = try SQLiteStore.inMemory()
        let lower = try store.makeProspect("dana@acme.example")
        let upper = try store.makeProspect("Dana@ACME.example", attributes: ["x": "1"])
        #expect(upper.id == lower.id)
        #expect(try store.prospect(email: address("DANA@acme.example"))?.id == lower.id)
        #expect(try store.summary(now: t0).prospects == 1)
    }

    @Test func attributeValuesKeepQuotesSlashesAndUnicode() throws {
        let store = try SQLiteStore.inMemory()
        let attributes = ["note": "said \"hi\" / 👋", "url": "https://acme.example/a?b=c", "empty": ""]
        #expect(try store.makeProspect("dana@acme.example", attributes: attributes).attributes == attributes)
    }

    @Test func aBatchSavesEveryDraftInOrderInOneGo() throws {
        let fixture = try StoreFixture()
        let drafts = try (0..<500).map {
            ProspectDraft(email: try address("p\($0)@example.com"), attributes: ["n": "\($0)"])
        }
        let saved = try fixture.store.saveProspects(drafts + [drafts[3]], at: t0)
        #expect(saved.count == 501)
        #expect(saved.map(\.email) == (drafts + [drafts[3]]).map(\.email))
        #expect(saved[500].id == saved[3].id)
        #expect(try fixture.store.summary(now: t0).prospects == 500)
    }

    @Test func whatASaveReturnsIsWhatIsReadBackEvenForSubSecondTimes() throws {
        let store = try StoreFixture().store
        let odd = t0.addingTimeInterval(0.123_456)
        let created = try store.saveProspect(ProspectDraft(email: address("dana@acme.example")), at: odd)
        #expect(try store.prospect(id: created.id) == created)
        #expect(abs(created.createdAt.timeIntervalSince(odd)) < 0.000_001)
        let merged = try store.makeProspect("dana@acme.example", attributes: ["a": "1"])
        #expect(try store.prospect(id: created.id) == merged)
    }

    @Test func anUnknownProspectIsNil() throws {
        let store = try SQLiteStore.inMemory()
        #expect(try store.prospect(id: 42) == nil)
        #expect(try store.prospect(email: address("nobody@example.com")) == nil)
    }
}

struct AttributeEncodingTests {
    @Test func anyTextInAnAttributeIsStoredAndReadBackExactly() throws {
        let store = try SQLiteStore.inMemory()
        let attributes = [
            "quote": "say \"hi\"", "slash": "a\\b/c", "lines": "one\ntwo\r\n", "tab": "a\tb", "control": "\u{1}x\u{1F}",
            "unicode": "café ☕ 日本", "empty": "",
        ]
        let saved = try store.saveProspect(
            ProspectDraft(email: try address("a@example.com"), attributes: attributes), at: t0)
        #expect(try store.prospect(id: saved.id)?.attributes == attributes)
        // A second save merges through SQLite's json_patch, which must read what was written.
        _ = try store.saveProspect(
            ProspectDraft(email: try address("a@example.com"), attributes: ["more": "1"]), at: t0)
        #expect(try store.prospect(id: saved.id)?.attributes == attributes.merging(["more": "1"]) { $1 })
    }
}
