/// Gives memory the process freed back to the system. glibc keeps freed blocks in its arenas:
/// after loading a catalog of 20,000 files (the parser's garbage) or a poll of 20,000
/// connectors (the decoded answers, the last snapshot), the server would otherwise keep
/// hundreds of MB it no longer uses.
public enum FreedMemory {
    public static func giveBack() {
        #if os(Linux)
        _ = mallocTrim(0)
        #endif
    }

    /// Sets glibc's malloc for a long-running server whose threads build and free large values
    /// (a poll's reads and tables, a page, a scrape); `serve` calls it first, before threads start.
    ///
    /// - At most `arenas` arenas (by default up to eight per core, one taken by each thread that
    ///   allocates while another holds an arena's lock, each keeping what was freed in it). The
    ///   cost is more waiting on an arena's lock, which two cores hardly see.
    /// - Blocks from 256 KB up mapped on their own and given back when freed. By default glibc
    ///   raises that threshold to the largest block freed so far (up to 32 MB), after which a
    ///   poll's 20,000-entry tables and a scrape's 17 MB came from the arenas and stayed resident
    ///   until the next trim: at 20,000 connectors the peak was 25-30 MB higher.
    /// - The top of the heap trimmed from 4 MB free (by default 128 KB, raised with the threshold).
    public static func tuneForServer(arenas: Int32 = 2) {
        #if os(Linux)
        _ = mallopt(-8 /* M_ARENA_MAX */, arenas)
        _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 256 << 10)
        _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 4 << 20)
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` and `mallopt` (malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
