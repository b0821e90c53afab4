import Foundation

/// The programs the benchmark drives.
struct Tools: Sendable {
    let nurture: URL
    let smtpSink: URL
    let python: URL
    let peerScript: URL

    static func besideThisExecutable(_ name: String) -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent(name).path
    }

    func check(needingPeer: Bool) throws {
        var missing: [(URL, String)] = [
            (nurture, "build it: swift build -c release --product nurture"),
            (smtpSink, "install postfix: scripts/install-deps"),
        ]
        if needingPeer {
            missing.append((python, "create it with scripts/bench, or pass --skip-peer"))
            missing.append((peerScript, "run from the package root"))
        }
        for (tool, fix) in missing where !FileManager.default.isExecutableFile(atPath: tool.path) {
            if tool == peerScript, FileManager.default.fileExists(atPath: tool.path) { continue }
            throw BenchError("\(tool.path) is missing; \(fix)")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Progress lines on stderr, so stdout holds only the table.
enum Progress {
    static func say(_ line: String) {
        FileHandle.standardError.write(Data("nurture-bench: \(line)\n".utf8))
    }
}
