import Foundation
import NurtureEngine
import NurtureTestSupport
import Testing

/// The send journal tells, after a crash, which steps in flight never reached SMTP. Anything it cannot vouch
/// for must come out as "don't know" (nil), never as "never handed": that would send an email twice.
struct SendJournalTests {
    let folder: TemporaryFolder
    var path: String { folder.url.appendingPathComponent("nurture.sqlite-sending").path }

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func aStepBegunAndNeverHandedIsToldApartFromOneHanded() throws {
        do {
            let journal = try #require(SendJournal(path: path, bootID: "boot-1"))
            #expect(journal.neverHandedLastRun == nil, "no journal before the first run")
            journal.begun(["<a@x>", "<b@x>"])
            journal.begun(["<c@x>"])
            #expect(journal.handing("<b@x>"))
        }
        do {
            let next = try #require(SendJournal(path: path, bootID: "boot-1"))
            #expect(next.neverHandedLastRun == ["<a@x>", "<c@x>"])
        }
        // A start that dies before it has given them back leaves them to the next one...
        do {
            let third = try #require(SendJournal(path: path, bootID: "boot-1"))
            #expect(third.neverHandedLastRun == ["<a@x>", "<c@x>"])
            third.reset()
        }
        // ...and once nothing is in flight, they are forgotten.
        #expect(try #require(SendJournal(path: path, bootID: "boot-1")).neverHandedLastRun == [])
    }

    @Test func aJournalFromBeforeARebootIsNotTrusted() throws {
        do {
            let journal = try #require(SendJournal(path: path, bootID: "boot-1"))
            journal.begun(["<a@x>"])
        }
        let afterReboot = try #require(SendJournal(path: path, bootID: "boot-2"))
        #expect(afterReboot.neverHandedLastRun == nil, "lines may have been lost with the page cache")
    }

    @Test func aLineCutShortOrAForeignFileIsNotTrusted() throws {
        try Data("nurture send journal 1 boot boot-1\nB <a@x>\nS <a@".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try #require(SendJournal(path: path, bootID: "boot-1")).neverHandedLastRun == nil)
        try Data("nurture send journal 1 boot boot-1\nB <a@x>\nsomething else\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(try #require(SendJournal(path: path, bootID: "boot-1")).neverHandedLastRun == nil)
    }

    @Test func aResetForgetsStepsNoLongerInFlight() throws {
        do {
            let journal = try #require(SendJournal(path: path, bootID: "boot-1"))
            journal.begun(["<a@x>"])
            journal.reset()
            journal.begun(["<b@x>"])
        }
        #expect(try #require(SendJournal(path: path, bootID: "boot-1")).neverHandedLastRun == ["<b@x>"])
    }

    /// Not writable, not removable (a file system gone read-only; here an immutable file, which root cannot
    /// change either): a step must not be sent, since a next start would find its `B` line and no `S` line.
    @Test func aJournalThatCanNeitherBeWrittenNorRemovedRefusesToHandAStep() throws {
        try Data("nurture send journal 1 boot boot-1\nB <a@x>\n".utf8).write(to: URL(fileURLWithPath: path))
        let chattr = URL(fileURLWithPath: "/usr/bin/chattr")
        // Where the file system has no immutable flag (tmpfs) or chattr is missing, there is nothing to try.
        guard FileManager.default.isExecutableFile(atPath: chattr.path),
            try ChildProcess.run(chattr, arguments: ["+i", path]).status == 0
        else { return }
        defer { _ = try? ChildProcess.run(chattr, arguments: ["-i", path]) }
        let journal = try #require(SendJournal(path: path, bootID: "boot-1"))
        #expect(journal.neverHandedLastRun == ["<a@x>"], "the last run's journal is still read")
        #expect(!journal.handing("<a@x>"))
    }

    /// Not writable but gone: nothing of this run will be trusted, so a step may go out without its line.
    @Test func aJournalThatCannotBeCreatedLetsStepsGoAndTrustsNothingNextTime() throws {
        let missing = folder.url.appendingPathComponent("no-such-folder/nurture.sqlite-sending").path
        let journal = try #require(SendJournal(path: missing, bootID: "boot-1"))
        #expect(journal.handing("<a@x>"))
        #expect(try #require(SendJournal(path: missing, bootID: "boot-1")).neverHandedLastRun == nil)
    }

    @Test func theJournalIsTheOwnersAlone() throws {
        _ = try #require(SendJournal(path: path, bootID: "boot-1"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func thisMachineHasABootID() {
        #expect(SendJournal.currentBootID()?.isEmpty == false)
    }
}
