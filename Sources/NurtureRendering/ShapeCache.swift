import Ink
import Synchronization

/// The shapes of body a renderer has met (`BodyShape`), by their Markdown with placeholders, shared by every copy of
/// the renderer: a composer's messages and the threads that compose them.
final class ShapeCache: Sendable {
    /// Far more than the email steps of a campaign set; when full it starts again rather than track which are cold.
    static let capacity = 256

    /// A shape's Markdown, compared byte for byte: `String` takes canonically equivalent text (`é`, and `e` with a
    /// combining accent) as equal, where Ink writes out the bytes it was given.
    private struct Key: Hashable {
        let markdown: String

        static func == (left: Key, right: Key) -> Bool {
            var (left, right) = (left.markdown, right.markdown)
            return left.withUTF8 { left in right.withUTF8 { left.elementsEqual($0) } }
        }

        func hash(into hasher: inout Hasher) {
            var markdown = markdown
            markdown.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    private struct State {
        /// nil for a shape that cannot be reused: its messages take an Ink run of their own.
        var shapes: [Key: BodyShape?] = [:]
        var inkRuns = 0
    }

    private let state = Mutex(State())

    /// How many times Ink has read a body for this renderer, cached or not.
    var inkRuns: Int { state.withLock { $0.inkRuns } }

    /// The shape of this Markdown with placeholders, Ink run for it the first time it is met.
    func shape(of markdown: String) -> BodyShape? {
        let key = Key(markdown: markdown)
        if let known = state.withLock({ $0.shapes[key] }) { return known }
        // Two threads may both miss and both run Ink: the same HTML, stored twice, and no lock held around Ink.
        let shape = BodyShape(markdown: markdown, html: html)
        state.withLock { state in
            if state.shapes.count >= Self.capacity { state.shapes.removeAll() }
            state.shapes[key] = .some(shape)
        }
        return shape
    }

    /// Markdown to HTML, through the passes that keep Ink from stalling or crashing on what it cannot read.
    func html(_ markdown: String) -> String {
        state.withLock { $0.inkRuns += 1 }
        return MarkdownParser().html(
            from: UnclosedTags.escaped(Autolinks.expand(BracketNesting.limited(FrontMatter.defused(markdown))))
        )
    }
}
