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

    /// A link reads as `text (url)`, an image as its alt text; the attribute is found wherever it stands in the tag,
    /// and not inside another attribute's name.
    @Test(arguments: [
        (#"<p><a href="https://a.example/x?y=1&amp;z=2">the guide</a></p>"#, "the guide (https://a.example/x?y=1&z=2)"),
        (#"<a title="t" href="https://a.example/">site</a>"#, "site (https://a.example/)"),
        (#"<a data-href="https://wrong.example/" href="https://right.example/">go</a>"#, "go (https://right.example/)"),
        (#"<a name="top">top</a>"#, "top"),
        (#"<img src="x.png" alt="Caf&eacute; &amp; b&#233;ton"/>"#, "[Caf&eacute; & béton]"),
        (#"<img src="x.png" alt="">"#, ""),
    ])
    func attributesAreReadFromTheTag(html: String, text: String) {
        #expect(PlainText(html: html).text.trimmingCharacters(in: .newlines) == text)
    }
}
