import Foundation
import NurtureStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Which steps recorded as in flight were handed to SMTP: a file beside the state database, a line per step
/// when its chunk is recorded (`B`) and when a connection starts its SMTP transaction (`S`), each step known by
/// its Message-ID.
///
/// A killed process leaves steps in flight. Without the journal every one is uncertain and none is resent,
/// though most never left the outbox. With it, a step begun and never handed to SMTP is sent after all. The
/// lines are written, not synced: a process that dies loses nothing the kernel already holds, and only a
/// machine that went down loses them, which the boot id in the header tells. Then, or when the journal is
/// missing or unreadable, every step in flight is uncertain, as without it.
public final class SendJournal: Sendable {
    private let path: String
    /// The open file, or -1 once writing failed: from then on the next start trusts nothing of this run.
    private let file: Mutex<Int32>
    private let header: String
    /// Message-IDs of steps the last run recorded in flight and never handed to SMTP, if its journal can be
    /// trusted (same boot, readable); nil otherwise.
    public let neverHandedLastRun: Set<String>?

    /// Reads what the last run left and starts this run's journal. Nil where there is no boot id to tell a
    /// restarted process from a restarted machine (then every step in flight at a crash is uncertain).
    public init?(path: String, bootID: String? = SendJournal.currentBootID()) {
        guard let bootID else { return nil }
        self.path = path
        header = "nurture send journal 1 boot \(bootID)\n"
        neverHandedLastRun = Self.neverHanded(in: path, header: header)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        file = Mutex(descriptor)
        // The last run's steps never handed are carried over until this run has given them back: a process that
        // dies while it starts must not leave the next one less to go on.
        let carried = neverHandedLastRun.map { $0.sorted().map { "B \($0)\n" }.joined() } ?? ""
        guard descriptor >= 0, Self.write(header + carried, to: descriptor) else {
            disable()
            return
        }
    }

    deinit {
        file.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
        }
    }

    /// The kernel's id for this boot: the same for every process until the machine restarts.
    public static func currentBootID() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else {
            return nil
        }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    /// A chunk's steps, just recorded as in flight.
    public func begun(_ messageIDs: [String]) {
        guard !messageIDs.isEmpty else { return }
        append(messageIDs.map { "B \($0)\n" }.joined())
    }

    /// A step about to be handed to SMTP; written before the transaction starts.
    public func handing(_ messageID: String) {
        append("S \(messageID)\n")
    }

    /// Nothing is in flight any more: what the journal holds is moot, so it starts again (it would otherwise
    /// grow with every step sent).
    public func reset() {
        file.withLock { descriptor in
            guard descriptor >= 0 else { return }
            if ftruncate(descriptor, off_t(header.utf8.count)) != 0 { Self.give(up: &descriptor, path) }
        }
    }

    private func append(_ lines: String) {
        file.withLock { descriptor in
            guard descriptor >= 0 else { return }
            if !Self.write(lines, to: descriptor) { Self.give(up: &descriptor, path) }
        }
    }

    private func disable() {
        file.withLock { descriptor in Self.give(up: &descriptor, path) }
    }

    /// A line that could not be written would make a step look never handed: the journal goes, so the next
    /// start trusts none of it.
    private static func give(up descriptor: inout Int32, _ path: String) {
        if descriptor >= 0 {
            _ = ftruncate(descriptor, 0)
            close(descriptor)
        }
        descriptor = -1
        unlink(path)
    }

    /// One `write` per call: with O_APPEND, lines from several connections never interleave.
    private static func write(_ text: String, to descriptor: Int32) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    /// Steps begun and never handed, from a journal written during this same boot; nil if it cannot be trusted.
    private static func neverHanded(in path: String, header: String) -> Set<String>? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        // Written by another boot, or cut short (only a machine going down cuts a line): nothing to go on.
        guard text.hasPrefix(header), text.hasSuffix("\n") else { return nil }
        var begun = Set<String>()
        var handed = Set<String>()
        for line in text.dropFirst(header.count).split(separator: "\n") {
            if line.hasPrefix("B ") {
                begun.insert(String(line.dropFirst(2)))
            } else if line.hasPrefix("S ") {
                handed.insert(String(line.dropFirst(2)))
            } else {
                return nil
            }
        }
        return begun.subtracting(handed)
    }
}
