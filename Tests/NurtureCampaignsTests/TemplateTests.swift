import NurtureCampaigns
import Testing

struct TemplateTests {
    let here = SourceLocation(file: "t.md", line: 1, column: 1)

    @Test func separatesVariablesFromSections() throws {
        let template = try Template(
            source:
                "Hi {{first_name}}, {{{company}}} {{& title}}{{#phone}}call {{phone}}{{/phone}}{{^x}}-{{/x}}{{! note}}",
            location: here)
        #expect(template.variables == ["first_name", "company", "title", "phone"])
        #expect(template.sections == ["phone", "x"])
    }

    @Test func aBrokenBodyPointsAtItsLineAndColumn() {
        #expect(throws: Diagnostic.self) { try Template(source: "Hi\n\n{{#a}}open", location: here) }
        let error = #expect(throws: Diagnostic.self) {
            try Template(source: "line one\nline {{two", location: here)
        }
        #expect(error?.location.line == 2)
        #expect(error?.message.contains("not closed") == true)
    }
}
