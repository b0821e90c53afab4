#if canImport(Glibc)
    import CMalloc
#endif

/// How the daemon's heap keeps memory it frees, so the same memory serves the next send.
///
/// glibc gives freed memory at the top of a heap back to the kernel once there is more than its trim threshold
/// (128 KiB until a large block has been freed), and takes it back, a page fault for every page, on the next
/// allocation. The daemon frees and allocates the same few megabytes on every send (SQLite's reading connections
/// drop their page cache whenever another connection has committed, and fill it again), so with the defaults
/// it spent about a tenth of its CPU time in `madvise` and page faults, sending timed steps one by one.
public enum HeapRetention {
    /// Freed memory at the top of a heap is kept up to this much: far above what a send frees, far below the
    /// machine. It is a ceiling on what is kept after a peak, not memory taken: the peak itself is the same.
    public static let trimThreshold = 128 << 20
    /// Blocks from this size up get a mapping of their own, given back as soon as they are freed: fixed, where
    /// glibc would raise it after each large free (and its trim threshold with it, undoing the one above).
    public static let mmapThreshold = 4 << 20

    /// Applies both thresholds to the whole process; call it once, before the threads start. False where the C
    /// library is not glibc or refused them.
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        #if canImport(Glibc)
            mallopt(M_MMAP_THRESHOLD, Int32(mmapThreshold)) == 1 && mallopt(M_TRIM_THRESHOLD, Int32(trimThreshold)) == 1
        #else
            false
        #endif
    }
}
