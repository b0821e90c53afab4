import Foundation
import Testing

@testable import NurtureRendering

/// HTML to the readable text part.
struct PlainTextTests {
    /// It used to loop forever on a `<` with no `>` after it, stalling a sending thread for good.
    @Test(arguments: [("price < 10", "price < 10"), ("<", "<"), ("<<<", "<<<"), ("<p>x</p><", "x\n\n<")])
    func aLessThanSignThatNoTagClosesIsKeptAsText(html: String, text: String) {
        #expect(PlainText(html: html).text.trimmingCharacters(in: .newlines) == text)
    }
}
