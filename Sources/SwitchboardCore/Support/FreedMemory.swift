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
}

#if os(Linux)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module does not export).
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif
