import Foundation

/// Every campaign in a folder, with every problem found reading them.
public struct CampaignSet: Sendable {
    public let campaigns: [Campaign]
    public let diagnostics: [Diagnostic]
    /// The errors of each file that declares a campaign id but could not be loaded, by that id.
    public let brokenCampaigns: [String: [Diagnostic]]

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    public func campaign(id: String) -> Campaign? { campaigns.first { $0.id == id } }
}

/// Reads campaign files: one YAML file per campaign, bodies beside them.
public enum CampaignLoader {
    /// Loads every `*.yml` / `*.yaml` file directly in `directory`. A broken file is reported, never fatal.
    public static func load(directory: String) -> CampaignSet {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            let exists = FileManager.default.fileExists(atPath: folder.path)
            let message =
                exists
                ? "cannot read the campaigns folder: \(error.localizedDescription)"
                : "the campaigns folder does not exist; create it or set `campaigns:` in the configuration"
            return CampaignSet(
                campaigns: [],
                diagnostics: [
                    Diagnostic(.error, at: SourceLocation(file: directory, line: 1, column: 1), message)
                ],
                brokenCampaigns: [:])
        }
        let files = names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
        var campaigns: [Campaign] = []
        var diagnostics: [Diagnostic] = []
        var firstFileForID: [String: String] = [:]
        var broken: [String: [Diagnostic]] = [:]
        for name in files {
            let shown = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            let (campaign, found, declaredID) = read(file: shown)
            diagnostics += found
            guard let campaign else {
                if let declaredID { broken[declaredID, default: []] += found.filter { $0.severity == .error } }
                continue
            }
            if let first = firstFileForID[campaign.id] {
                diagnostics.append(
                    Diagnostic(
                        .error, at: SourceLocation(file: shown, line: 1, column: 1),
                        "campaign id `\(campaign.id)` is already used by \(first); campaign ids must be unique"))
                continue
            }
            firstFileForID[campaign.id] = shown
            campaigns.append(campaign)
        }
        let ids = campaigns.map(\.id)
        for campaign in campaigns {
            guard let target = campaign.onClickEnroll, !ids.contains(target), broken[target] == nil,
                let location = campaign.onClickLocation
            else { continue }
            diagnostics.append(
                Diagnostic(
                    .error, at: location,
                    "`on_click: { enroll: \(target) }` names no campaign in this folder\(Suggestions.hint(for: target, in: ids))"
                ))
        }
        if files.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .warning, at: SourceLocation(file: directory, line: 1, column: 1),
                    "no campaign files (*.yml) in this folder"))
        }
        return CampaignSet(campaigns: campaigns, diagnostics: diagnostics, brokenCampaigns: broken)
    }

    /// Loads one campaign file; `path` is also how diagnostics name it.
    public static func load(file path: String) -> (Campaign?, [Diagnostic]) {
        let (campaign, diagnostics, _) = read(file: path)
        return (campaign, diagnostics)
    }

    /// The campaign, its diagnostics, and the id the file declares even when it is broken.
    private static func read(file path: String) -> (Campaign?, [Diagnostic], String?) {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= largestFile else {
            return (nil, [Diagnostic(.error, at: start, tooLarge(size, what: "a campaign file"))], nil)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [Diagnostic(.error, at: start, "cannot read the file")], nil)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, [notUTF8(data, file: path, what: "the file")], nil)
        }
        return read(text: text, path: path)
    }

    /// A campaign file's text read as if it were the file at `path`: bodies are looked for beside it. The fuzzer's
    /// way in, where the text never touches the disk.
    static func read(text: String, path: String) -> (Campaign?, [Diagnostic], String?) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        var parser = CampaignParser(path: path, directory: directory)
        let campaign = parser.parse(text)
        let diagnostics = parser.diagnostics + (campaign?.undeclaredVariableWarnings() ?? [])
        // In file order, as an editor lists them; a body file's own problems come after.
        let sorted = diagnostics.enumerated().sorted { lhs, rhs in
            let (l, r) = (lhs.element.location, rhs.element.location)
            return (l.file != path ? 1 : 0, l.line, l.column, lhs.offset) < (
                r.file != path ? 1 : 0, r.line, r.column, rhs.offset
            )
        }
        return (campaign, sorted.map(\.element), parser.declaredID)
    }

    /// Campaign and body files are written by hand; one this large is something else (a log, an export) saved
    /// there by mistake, and reading it would stall a reload.
    static let largestFile = 1 << 20

    static func tooLarge(_ size: Int, what: String) -> String {
        let megabytes = (Double(size) / Double(1 << 20) * 10).rounded() / 10
        return "the file is \(megabytes) MB, more than the 1 MB \(what) may be; is it the right file?"
    }

    /// Points at the first byte that is not UTF-8, and says what it was most likely meant to be.
    static func notUTF8(_ data: Data, file: String, what: String) -> Diagnostic {
        var (line, column) = (1, 1)
        var bytes = data.makeIterator()
        var decoder = UTF8()
        var offset = 0
        decoding: while true {
            switch decoder.decode(&bytes) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
                (line, column) = scalar == "\n" ? (line + 1, 1) : (line, column + 1)
            case .emptyInput, .error:
                break decoding
            }
        }
        let location = SourceLocation(file: file, line: line, column: column)
        guard offset < data.count else { return Diagnostic(.error, at: location, "\(what) is not UTF-8 text") }
        let byte = data[data.startIndex + offset]
        // Latin-1, the usual other encoding, gives every byte the code point of the same number.
        let latin1 = byte >= 0xA0 ? " (`\(Character(Unicode.Scalar(byte)))` in Latin-1)" : ""
        return Diagnostic(
            .error, at: location,
            "\(what) is not UTF-8 text: byte 0x\(String(byte, radix: 16, uppercase: true))\(latin1) is not UTF-8 here; "
                + "save it as UTF-8")
    }
}
