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

    /// Caps glibc's malloc arenas (by default up to eight per core, one taken by each thread that
    /// allocates while another holds an arena's lock). A long-running server whose threads each
    /// build and free large values otherwise keeps the freed memory of every arena; `serve`
    /// calls this first, before threads start. The cost is more waiting on an arena's lock,
    /// which two cores hardly see.
    public static func limitArenas(to count: Int32) {
        #if os(Linux)
        _ = mallopt(-8 /* M_ARENA_MAX */, count)
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
