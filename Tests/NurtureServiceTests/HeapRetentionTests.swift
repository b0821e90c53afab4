import Glibc
import NurtureService
import Testing

/// The daemon's heap keeps what it frees for the next send instead of faulting it in again.
struct HeapRetentionTests {
    /// Minor page faults of this thread so far: each is a page the kernel had to hand over afresh.
    private static func faults() -> Int {
        var usage = rusage()
        // RUSAGE_THREAD (1), which Glibc's module leaves out: the other tests' threads fault meanwhile.
        getrusage(__rusage_who_t(1), &usage)
        return usage.ru_minflt
    }

    /// What a send does to the heap, many times over: 16 MiB in SQLite-page-sized blocks, written, all freed.
    private static func round() {
        let blocks = (0..<4096).map { _ in malloc(4096)! }
        for block in blocks { memset(block, 1, 4096) }
        blocks.forEach { free($0) }
    }

    @Test func aSecondRoundOfTheSameAllocationsFaultsInNoNewPages() {
        #expect(HeapRetention.keepFreedMemory())
        Self.round()
        let before = Self.faults()
        Self.round()
        Self.round()
        // With glibc's defaults each round faults in its 4,096 pages again: they were given back at the free.
        #expect(Self.faults() - before < 100)
    }
}
