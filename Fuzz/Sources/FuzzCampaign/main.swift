import Foundation
import FuzzCheck

@testable import NurtureCampaigns

/// A campaign file's text, as `nurture check` and a reload read it: any bytes give diagnostics, never a crash.
/// Body paths resolve in the repository's `campaigns/`, so the seeds' bodies are found and read too.
private let path = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("campaigns/fuzzed.yml").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let (campaign, diagnostics, _) = CampaignLoader.read(text: text, path: path)
    if let campaign {
        check(!diagnostics.contains { $0.severity == .error }, "a campaign loaded despite errors")
        check(!campaign.steps.isEmpty, "a campaign loaded without steps")
    } else {
        check(diagnostics.contains { $0.severity == .error }, "a campaign refused without an error")
    }
    for diagnostic in diagnostics {
        check(diagnostic.location.line >= 1 && diagnostic.location.column >= 1, "a diagnostic before 1:1")
        _ = diagnostic.description
    }
    return 0
}
