import Foundation
import Testing

@testable import NurtureRendering

/// HTML to the readable text part.
struct PlainTextTests {
    /// A link's text is trimmed of the characters Foundation's `.whitespaces` holds, every one of them, and of no
    /// other, without going through Foundation.
    @Test func horizontalSpaceIsFoundationsWhitespacesScalarForScalar() {
        let differing = (0...0x10FFFF).compactMap(Unicode.Scalar.init).filter { scalar in
            PlainText.isHorizontalSpace(scalar) != CharacterSet.whitespaces.contains(scalar)
        }
        #expect(differing.isEmpty, "\(differing.prefix(10).map { String($0.value, radix: 16) })")
        for text in ["", " ", "\t\u{A0}x y\u{3000} ", "\u{2003}go", "go ", "a \u{301}", " \u{301}b"] {
            #expect(
                String(PlainText.trimmingHorizontalSpace(Substring(text))) == text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// It used to loop forever on a `<` with no `>` after it, stalling a sending thread for good.
    @Test(arguments: [("price < 10", "price < 10"), ("<", "<"), ("<<<", "<<<"), ("<p>x</p><", "x\n\n<")])
    func aLessThanSignThatNoTagClosesIsKeptAsText(html: String, text: String) {
        #expect(PlainText(html: html).text.trimmingCharacters(in: .newlines) == text)
    }

    /// Spaces taken off before a line break may be spaces a link's text began after (raw HTML in a body): the
    /// text then begins where they did. Its start used to stay past the end, and closing the link crashed the
    /// process (found by comparing the byte-wise tag reader with the one before it on random HTML).
    @Test(arguments: [
        ("<pre>    <a><ol>u</a></ol></pre>", "\n\nu\n"),
        (#"<pre>x    <a href="https://x.example/"><ol>u</a></ol></pre>"#, "x\n\nu (https://x.example/)\n"),
        (#"<pre>x    <a href="https://x.example/"><ol></a></ol></pre>"#, "x\n\nhttps://x.example/\n"),
    ])
    func aLinkOpenedAfterSpacesThatALineBreakTakesOffKeepsItsText(html: String, text: String) {
        #expect(PlainText(html: html).text == text)
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

    /// Tags and text are read from the HTML's bytes in place. What they read is what the reading by `Substring` did
    /// (compared on 3.3 million random documents when it changed): a `/` that a combining mark joins opens no
    /// closing tag, a mark after `>` or `"` starts the text or value, any `<` with a `>` after it is a tag.
    @Test(arguments: [
        ("<p>x</\u{301}p>y", "xy\n"),
        ("<p>\u{301}a</p>", "\u{301}a\n"),
        (#"<a href="\#u{301}https://x.example/é?q=ü&amp;r">é</a>"#, "é (\u{301}https://x.example/é?q=ü&r)\n"),
        ("a < b <p>c</p> d <", "a c\n\nd <\n"),
        (#"<img alt="&#x1F600; &amp;"/>"#, "[😀 &]\n"),
        ("<\u{301}p>x", "x\n"),
        ("<P\u{301}>x</p>", "x\n"),
        ("</é>x", "x\n"),
    ])
    func tagsAndTextReadFromBytesAsFromCharacters(html: String, text: String) {
        #expect(PlainText(html: html).text.unicodeScalars.elementsEqual(text.unicodeScalars))
    }

    /// Raw HTML passes through Ink as written: a tag name in capitals is the same tag.
    @Test func tagNamesAreReadWhateverTheirCase() {
        #expect(
            PlainText(html: "<P>one</P><UL><LI>two</LI><Li>three</lI></UL><HR>four<BR>five").text
                == "one\n\n- two\n- three\n\n----\n\nfour\nfive\n")
    }

    /// Trailing spaces go before a line break, and only they: a character that a space closes (an Arabic number
    /// sign before it makes one grapheme with it) keeps its first part. A line is ended by its last byte: a table
    /// cell after a CRLF in `<pre>` starts its row without a separator. (Both failed when the output was looked
    /// at by characters: the space stayed, and the cell got ` | `.)
    @Test func trailingSpacesAreTakenOffByTheSpaceAlone() {
        #expect(PlainText(html: "<p>a \u{600} </p><p>b</p>").text == "a \u{600}\n\nb\n")
        #expect(PlainText(html: "<p>end   </p>").text == "end\n")
        #expect(PlainText(html: "<pre>x\r\n</pre><table><tr><td>c</td></tr></table>").text == "x\r\n\n\nc\n")
    }
}
