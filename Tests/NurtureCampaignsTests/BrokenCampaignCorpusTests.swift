import Foundation
import NurtureCampaigns
import NurtureTestSupport
import Testing

/// Each file in `Corpus/` is a campaign with one mistake. Its first lines say what `nurture check` must print:
/// `# expect: LINE:COL: severity: message`, with positions in that file (or `bodies/NAME:LINE:COL` for a body file).
struct BrokenCampaignCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    /// The `# expect:` lines of a corpus file.
    static func expectations(of file: String) throws -> [String] {
        let url = corpus.appendingPathComponent(file)
        // Some files hold bytes that are not UTF-8 on purpose; the `# expect:` lines are ASCII either way.
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        return text.split(separator: "\n")
            .prefix { $0.hasPrefix("# expect: ") }
            .map { String($0.dropFirst("# expect: ".count)) }
    }

    @Test("every corpus file is reported exactly as expected", arguments: files)
    func reportsTheExpectedDiagnostics(file: String) throws {
        let path = Self.corpus.appendingPathComponent(file).path
        let expected = try Self.expectations(of: file)
        #expect(!expected.isEmpty, "\(file) has no `# expect:` line")

        let (campaign, diagnostics) = CampaignLoader.load(file: path)
        let folder = Self.corpus.path + "/"
        // Positions in the campaign file print as `LINE:COL`, in a body file as `bodies/NAME:LINE:COL`.
        let actual = diagnostics.map { $0.description.replacing(path + ":", with: "").replacing(folder, with: "") }
        #expect(actual == expected)
        let hasErrors = diagnostics.contains { $0.severity == .error }
        #expect((campaign == nil) == hasErrors, "a campaign is returned exactly when there are no errors")
    }

    @Test func theCorpusCoversEveryKindOfMistake() {
        #expect(Self.files.count >= 60)
    }

    @Test func aFolderOfEveryBrokenFileStillLoadsItsOneGoodCampaign() throws {
        let folder = try TemporaryFolder([
            "good.yml": """
            id: good
            from: dana@acme.example
            owner: dana@acme.example
            steps:
              - { id: hi, wait: 0, email: { subject: "Hi", body: bodies/ok.md } }

            """
        ])
        try FileManager.default.createSymbolicLink(
            at: folder.url.appendingPathComponent("bodies"),
            withDestinationURL: Self.corpus.appendingPathComponent("bodies"))
        // The files with an error, not just a warning; and those whose error is in the campaign file, not a body.
        let broken = try Self.files.filter { try Self.expectations(of: $0).contains { $0.contains(": error: ") } }
        let brokenHere = try broken.filter { try !Self.expectations(of: $0).contains { $0.hasPrefix("bodies/") } }
        for file in broken {
            try FileManager.default.copyItem(
                at: Self.corpus.appendingPathComponent(file), to: folder.url.appendingPathComponent(file))
        }
        let set = CampaignLoader.load(directory: folder.path)
        #expect(set.campaigns.map(\.id) == ["good"])
        let filesWithErrors = Set(set.errors.map { URL(fileURLWithPath: $0.location.file).lastPathComponent })
        #expect(filesWithErrors.isSuperset(of: brokenHere))
    }

    @Test func aFileOverOneMegabyteIsReportedWithoutBeingRead() throws {
        let step = "  - { id: s, wait: 1 day, task: { subject: \"Call {{first_name}}\" } }\n"
        let folder = try TemporaryFolder([
            "huge.yml": "id: huge\nfrom: dana@acme.example\nowner: dana@acme.example\nsteps:\n"
                + String(repeating: step, count: 20_000)
        ])
        let started = ContinuousClock.now
        let (campaign, diagnostics) = CampaignLoader.load(file: folder.path + "/huge.yml")
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(campaign == nil)
        #expect(
            diagnostics.map(\.description) == [
                "\(folder.path)/huge.yml:1:1: error: the file is 1.3 MB, more than the 1 MB a campaign file may be; "
                    + "is it the right file?"
            ])
    }

    @Test func anEmptyFileIsReportedAsEmpty() throws {
        let folder = try TemporaryFolder(["empty.yml": ""])
        let (campaign, diagnostics) = CampaignLoader.load(file: folder.path + "/empty.yml")
        #expect(campaign == nil)
        #expect(diagnostics.map(\.description) == ["\(folder.path)/empty.yml:1:1: error: the file is empty"])
    }

    @Test func aDayRangeMayRunPastTheWeekend() throws {
        let folder = try TemporaryFolder([
            "wrap.yml": """
            id: wrap
            from: dana@acme.example
            owner: dana@acme.example
            send_window: { days: [fri-mon], hours: "09:00-17:00" }
            steps:
              - { id: hi, wait: 0, task: { subject: "Call" } }

            """
        ])
        let (campaign, diagnostics) = CampaignLoader.load(file: folder.path + "/wrap.yml")
        #expect(diagnostics.isEmpty)
        #expect(campaign?.sendWindow.days == [.fri, .sat, .sun, .mon])
    }
}
