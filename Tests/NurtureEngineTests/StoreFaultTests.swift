import Foundation
import NurtureCore
import NurtureEngine
import NurtureStore
import NurtureTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The state database failing under a running engine: sending stops with an error that names the file and the
/// cause, nothing sent is forgotten, and it all resumes, uncorrupted, once the database works again.
@Suite struct StoreFaultTests {
    @Test func aReadOnlyDatabaseStopsSendingWithAClearErrorAndSendingResumesWhenItIsWritableAgain() throws {
        let slot = ServerSlot(try TestSMTPServer())
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        let prospects = try engine.enroll(LiveEngine.prospects(3))
        // Root ignores a folder's permissions, so the one writer connection is made read-only instead.
        try engine.onWriter("PRAGMA query_only = 1")

        let error = try #require(throws: StoreError.self) { try engine.scheduler.runDue() }
        #expect(error.message.contains(engine.store.path))
        #expect(error.message.contains("readonly"), "\(error)")
        #expect(engine.problems.count == 1)
        #expect(engine.problems.first?.contains("sending is paused, the state database failing") == true)
        #expect(try slot.recipients().isEmpty)

        try engine.onWriter("PRAGMA query_only = 0")
        try engine.scheduler.runDue()

        #expect(try slot.recipients().sorted() == prospects)
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered])
        }
        #expect(engine.notices == ["the state database works again; sending resumes"])
        #expect(try engine.integrityCheck() == ["ok"])
    }

    @Test func anOutcomeTheDatabaseWouldNotRecordIsKeptAndRecordedOnceItWorksAndNothingMoreIsSentMeanwhile() throws {
        let slot = ServerSlot(try TestSMTPServer())
        let breaker = Breaker()
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port), connections: 1) { _ in breaker.fire() }
        breaker.arm { try? engine.onWriter("PRAGMA query_only = 1") }
        let prospects = try engine.enroll(LiveEngine.prospects(4))

        #expect(throws: StoreError.self) { try engine.scheduler.runDue() }
        // The first, and those the connection sent while the recorder gathered outcomes for one commit.
        let sentWhileFailing = try slot.recipients()
        #expect(!sentWhileFailing.isEmpty)
        engine.clock.advance(by: 10 * .minute)
        #expect(throws: StoreError.self) { try engine.scheduler.runDue() }
        #expect(try slot.recipients() == sentWhileFailing, "nothing more is sent while outcomes wait")
        #expect(engine.problems.count == 1, "\(engine.problems)")

        try engine.onWriter("PRAGMA query_only = 0")
        try engine.scheduler.runDue()

        #expect(try slot.recipients().sorted() == prospects, "each once")
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered], "\(prospect)")
        }
        let summary = try engine.store.summary(now: engine.clock.now())
        #expect((summary.dueNow, summary.pending, summary.uncertainDeliveries) == (0, 4, 0))
        #expect(try engine.integrityCheck() == ["ok"])
    }

    @Test func aRestartWhileOutcomesAreKeptReportsThemAsUncertainAndSendsThemNoMore() throws {
        let slot = ServerSlot(try TestSMTPServer())
        let breaker = Breaker()
        let folder = try TemporaryFolder()
        var engine: LiveEngine? = try LiveEngine(
            smtp: LiveEngine.smtp(port: slot.port), connections: 1, databaseIn: folder
        ) { _ in breaker.fire() }
        breaker.arm { [engine] in try? engine?.onWriter("PRAGMA query_only = 1") }
        let prospects = try engine?.enroll(LiveEngine.prospects(3)) ?? []
        #expect(throws: StoreError.self) { try engine?.scheduler.runDue() }
        let sent = try slot.recipients()
        engine = nil

        let restarted = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port), databaseIn: folder)
        let recovery = try restarted.scheduler.recover()
        try restarted.scheduler.runDue()

        // Every prospect got `hello` at most once; the ones the first process could not record are uncertain.
        let received = try slot.recipients()
        #expect(Set(received).count == received.count, "\(received)")
        #expect(recovery.uncertain >= sent.count)
        for prospect in prospects {
            let outcomes = try restarted.deliveries(prospect).map(\.outcome)
            if sent.contains(prospect) {
                #expect(outcomes == [.uncertain], "sent by the first process, not recorded, so not sent again")
            } else {
                #expect(outcomes == [.delivered] || outcomes == [.uncertain], "\(prospect): \(outcomes)")
            }
        }
        #expect(try restarted.integrityCheck() == ["ok"])
    }

    @Test func aDiskThatFillsUpStopsSendingAndSendingResumesOnceThereIsRoom() throws {
        guard let disk = try TinyDisk() else { return }
        let slot = ServerSlot(try TestSMTPServer())
        let breaker = Breaker()
        let engine = try LiveEngine(
            smtp: LiveEngine.smtp(port: slot.port), connections: 1, databaseIn: disk.folder
        ) { _ in breaker.fire() }
        breaker.arm { disk.fill() }
        let prospects = try engine.enroll(LiveEngine.prospects(4))

        let error = try #require(throws: StoreError.self) { try engine.scheduler.runDue() }
        #expect(error.message.contains(engine.store.path))
        #expect(error.message.contains("full"), "\(error)")
        #expect(engine.problems.count == 1, "\(engine.problems)")

        disk.makeRoom()
        try engine.scheduler.runDue()

        #expect(try slot.recipients().sorted() == prospects, "each once")
        for prospect in prospects {
            #expect(try engine.deliveries(prospect).map(\.outcome) == [.delivered], "\(prospect)")
        }
        #expect(try engine.integrityCheck() == ["ok"])
    }

    @Test func aDatabaseLockedByAnotherProcessIsWaitedForThenReportedAndSendingResumesWhenItIsFree() throws {
        let slot = ServerSlot(try TestSMTPServer())
        let engine = try LiveEngine(smtp: LiveEngine.smtp(port: slot.port))
        try engine.enroll(["first@example.com"])

        // Held for less than the busy timeout: the engine waits, and nothing is reported.
        let brief = try ExclusiveLock(on: engine.store.path)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { brief.release() }
        try engine.scheduler.runDue()
        #expect(try slot.recipients() == ["first@example.com"])
        #expect(engine.problems.isEmpty)

        // Held for longer: reported once, nothing sent meanwhile, then sent once it is free.
        try engine.enroll(["second@example.com"])
        let long = try ExclusiveLock(on: engine.store.path)
        let error = try #require(throws: StoreError.self) { try engine.scheduler.runDue() }
        #expect(error.code == .busy)
        #expect(error.message.contains("stayed locked by another process"), "\(error)")
        #expect(engine.problems.count == 1)
        long.release()
        try engine.scheduler.runDue()
        #expect(try slot.recipients() == ["first@example.com", "second@example.com"])
        #expect(engine.notices.count == 1)
        #expect(try engine.integrityCheck() == ["ok"])
    }
}

/// Runs an action once, the first time it fires after being armed.
final class Breaker: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    func arm(_ body: @escaping @Sendable () -> Void) {
        action.withLock { $0 = body }
    }

    func fire() {
        action.withLock { action in
            defer { action = nil }
            return action
        }?()
    }
}

/// Another process, sqlite3, holding `BEGIN EXCLUSIVE` on a database until released.
final class ExclusiveLock: Sendable {
    private let process: Process
    private let input: Pipe

    init(on path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("BEGIN EXCLUSIVE;\nSELECT 'locked';\n".utf8))
        // The lock is held once sqlite3 has answered the SELECT after it.
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("locked") else {
            process.terminate()
            throw TestSetupError(description: "sqlite3 could not lock \(path)")
        }
        self.process = process
        self.input = input
    }

    func release() {
        guard process.isRunning else { return }
        input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
        process.waitUntilExit()
    }

    deinit {
        release()
    }
}

/// A 2 MB tmpfs to hold the state database, filled up and emptied on demand; nil where mounting is not allowed
/// (not root, or no CAP_SYS_ADMIN in the container), and then the test that wants it does nothing.
final class TinyDisk: Sendable {
    let folder: TemporaryFolder
    private var ballast: URL { folder.url.appendingPathComponent("ballast") }

    init?() throws {
        folder = try TemporaryFolder()
        let mount = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", folder.path])
        guard mount.status == 0 else { return nil }
    }

    /// Writes a file until the disk has no room left.
    func fill() {
        guard FileManager.default.createFile(atPath: ballast.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: ballast)
        else { return }
        defer { try? handle.close() }
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
    }

    func makeRoom() {
        try? FileManager.default.removeItem(at: ballast)
    }

    deinit {
        // Lazily: the test's store may still hold the database open while it is released.
        _ = try? ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["umount", "-l", folder.path])
    }
}
