import Foundation
import NurtureCampaigns
import Testing

/// Each file in `Corpus/` is a campaign with one mistake. Its first lines say what `nurture check` must print:
/// `# expect: LINE:COL: severity: message`, with positions in that file (or `bodies/NAME:LINE:COL` for a body file).
struct BrokenCampaignCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    @Test("every corpus file is reported exactly as expected", arguments: files)
    func reportsTheExpectedDiagnostics(file: String) throws {
        let path = Self.corpus.appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = text.split(separator: "\n")
            .prefix { $0.hasPrefix("# expect: ") }
            .map { String($0.dropFirst("# expect: ".count)) }
        #expect(!expected.isEmpty, "\(file) has no `# expect:` line")

        let (campaign, diagnostics) = CampaignLoader.load(file: path)
        let folder = Self.corpus.path + "/"
        // Positions in the campaign file print as `LINE:COL`, in a body file as `bodies/NAME:LINE:COL`.
        let actual = diagnostics.map { $0.description.replacing(path + ":", with: "").replacing(folder, with: "") }
        #expect(actual == expected)
        let hasErrors = diagnostics.contains { $0.severity == .error }
        #expect((campaign == nil) == hasErrors, "a campaign is returned exactly when there are no errors")
    }

    @Test func theCorpusIsNotEmpty() {
        #expect(Self.files.count >= 20)
    }
}
