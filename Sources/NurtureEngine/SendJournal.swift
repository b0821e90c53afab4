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
    private let file: Mutex<State>

    private enum State {
        case open(Int32)
        /// Writing failed and the file is gone (or empty): the next start trusts nothing of this run, so steps
        /// may be sent without lines.
        case gone
        /// Writing failed and the file could not be removed either: it may still be trusted, so no step may be
        /// sent without its line.
        case stuck
    }
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
        file = Mutex(descriptor >= 0 ? .open(descriptor) : .stuck)
        // The last run's steps never handed are carried over until this run has given them back: a process that
        // dies while it starts must not leave the next one less to go on.
        let carried = neverHandedLastRun.map { $0.sorted().map { "B \($0)\n" }.joined() } ?? ""
        guard descriptor >= 0, Self.write(header + carried, to: descriptor) else {
            file.withLock { $0 = Self.giveUp($0, path) }
            return
        }
    }

    deinit {
        file.withLock { state in
            if case .open(let descriptor) = state { close(descriptor) }
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

    /// A step about to be handed to SMTP, written before the transaction starts. False when it must not be
    /// sent: the line could not be written, and neither could the journal be removed, so the next start could
    /// take it for a step never handed and send it again.
    public func handing(_ messageID: String) -> Bool {
        append("S \(messageID)\n")
    }

    /// Nothing is in flight any more: what the journal holds is moot, so it starts again (it would otherwise
    /// grow with every step sent).
    public func reset() {
        file.withLock { state in
            guard case .open(let descriptor) = state else { return }
            if ftruncate(descriptor, off_t(header.utf8.count)) != 0 { state = Self.giveUp(state, path) }
        }
    }

    /// Whether the lines were written, or need not be (the journal is gone, so nothing of this run is trusted).
    @discardableResult
    private func append(_ lines: String) -> Bool {
        file.withLock { state in
            switch state {
            case .gone: return true
            case .stuck: return false
            case .open(let descriptor):
                if Self.write(lines, to: descriptor) { return true }
                state = Self.giveUp(state, path)
                if case .gone = state { return true }
                return false
            }
        }
    }

    /// A line that could not be written would make a step look never handed: the journal goes, so the next
    /// start trusts none of it; if it cannot go (a file system gone read-only), nothing more may be sent.
    private static func giveUp(_ state: State, _ path: String) -> State {
        var emptied = false
        if case .open(let descriptor) = state {
            emptied = ftruncate(descriptor, 0) == 0
            close(descriptor)
        }
        let removed = unlink(path) == 0 || errno == ENOENT
        return removed || emptied ? .gone : .stuck
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
