import NurtureCampaigns
import Testing

struct WaitTests {
    @Test(arguments: [
        ("0", Wait.immediately),
        ("30 minutes", Wait(30, .minutes)),
        ("30m", Wait(30, .minutes)),
        ("1 minute", Wait(1, .minutes)),
        ("2 hours", Wait(2, .hours)),
        ("2h", Wait(2, .hours)),
        ("3 days", Wait(3, .days)),
        ("3d", Wait(3, .days)),
        ("4 business days", Wait(4, .businessDays)),
        ("1 business day", Wait(1, .businessDays)),
        ("2 weeks", Wait(2, .weeks)),
        ("2w", Wait(2, .weeks)),
        ("  5  Days ", Wait(5, .days)),
    ])
    func parsesEverySpelling(text: String, expected: Wait) throws {
        #expect(try Wait(parsing: text) == expected)
    }

    @Test func aMisspeltUnitIsRefusedByName() {
        #expect(throws: WaitSyntaxError.unknownUnit("buisness days")) { try Wait(parsing: "4 buisness days") }
    }

    @Test func aNumberWithoutUnitIsRefusedUnlessZero() {
        #expect(throws: WaitSyntaxError.missingUnit(4)) { try Wait(parsing: "4") }
        #expect(throws: WaitSyntaxError.notANumber) { try Wait(parsing: "soon") }
        #expect(throws: WaitSyntaxError.notANumber) { try Wait(parsing: "-2 days") }
    }

    @Test func describesItselfAsACampaignFileWouldSayIt() {
        #expect(Wait(1, .businessDays).description == "1 business day")
        #expect(Wait(4, .businessDays).description == "4 business days")
        #expect(Wait.immediately.description == "0")
    }
}
