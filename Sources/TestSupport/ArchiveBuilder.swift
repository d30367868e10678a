import Foundation

/// Builds plugin archives for tests with Python's tarfile and zipfile, which write what the
/// system's tar refuses to: entries with `..`, absolute paths, links leading out or through
/// other links.
public enum ArchiveBuilder {
    /// One entry: `content` is the file's text, `->target` a symbolic link, `=>target` a hard
    /// link (tar only), or `@random:N` for N random bytes.
    public typealias Entry = (name: String, content: String)

    /// Writes a `tar.gz` or `zip` (by `file`'s extension) holding `entries`.
    public static func write(_ entries: [Entry], to file: URL) async throws {
        let spec = entries.map { "\($0.name)\u{1f}\($0.content)" }.joined(separator: "\u{1e}")
        let script = file.path.hasSuffix(".zip") ? zipScript : tarScript
        let result = try await ShellCommand.run("/usr/bin/env", ["python3", "-c", script, file.path, spec])
        guard result.status == 0 else { throw SetupError("python3 could not build \(file.lastPathComponent): \(result.output)") }
    }

    static let tarScript = """
        import io, os, sys, tarfile
        out, spec = sys.argv[1], sys.argv[2]
        with tarfile.open(out, "w:gz") as tar:
            for item in spec.split("\\x1e"):
                name, content = item.split("\\x1f")
                info = tarfile.TarInfo(name)
                if content.startswith("->"):
                    info.type = tarfile.SYMTYPE; info.linkname = content[2:]
                    tar.addfile(info)
                elif content.startswith("=>"):
                    info.type = tarfile.LNKTYPE; info.linkname = content[2:]
                    tar.addfile(info)
                else:
                    data = os.urandom(int(content[8:])) if content.startswith("@random:") else content.encode()
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        """

    static let zipScript = """
        import os, sys, zipfile
        out, spec = sys.argv[1], sys.argv[2]
        with zipfile.ZipFile(out, "w") as z:
            for item in spec.split("\\x1e"):
                name, content = item.split("\\x1f")
                if content.startswith("->"):
                    info = zipfile.ZipInfo(name); info.create_system = 3
                    info.external_attr = (0o120777 << 16)
                    z.writestr(info, content[2:])
                else:
                    z.writestr(name, os.urandom(int(content[8:])) if content.startswith("@random:") else content)
        """
}
