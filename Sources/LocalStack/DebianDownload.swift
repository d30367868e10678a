import Foundation

/// A Debian package of another release, fetched by name and version with `apt-get download`
/// through a sources list and package lists of its own (never the system's), checked against
/// its pinned sha256, and unpacked with `dpkg-deb -x` into the cache: nothing is installed into
/// the system.
struct DebianDownload: Sendable {
    var package: String
    var version: String
    /// The release (`trixie`) and the file apt-get saves (`<package>_<version>_all.deb`, with
    /// the version's `:` escaped).
    var release: String
    var file: String
    var sha256: String

    /// Jetty 12.0.17 from Debian 13 (trixie): `jetty12-security-12.0.17.jar`, which Connect 4.x's
    /// wheel lacks.
    static let jetty12 = DebianDownload(
        package: "libjetty12-java", version: "12.0.17-3.1~deb13u1", release: "trixie",
        file: "libjetty12-java_12.0.17-3.1~deb13u1_all.deb",
        sha256: "61c749cbbcd159861a7a94ed6073ce36eeb2e68bcbae03e6678308410b67f872"
    )

    /// Downloads (unless a copy with the pinned sha256 is cached) and unpacks the package under
    /// `<cache>/dist/<package>-<version>`; returns that folder.
    func fetch(cache: URL, progress: ProgressReporter) async throws -> URL {
        let unpacked = cache.appendingPathComponent("dist/\(package)-\(version)")
        let marker = unpacked.appendingPathComponent(".unpacked-\(sha256)")
        if FileManager.default.fileExists(atPath: marker.path) { return unpacked }
        let apt = cache.appendingPathComponent("debian-\(release)")
        let deb = apt.appendingPathComponent(file)
        if (try? Prerequisites.sha256(of: deb)) != sha256 {  // missing or unreadable: downloaded again below
            try await download(into: apt, progress: progress)
        }
        let got = try Prerequisites.sha256(of: deb)
        guard got == sha256 else {
            throw StackError("\(file) from Debian \(release) has sha256 \(got), not the pinned \(sha256); delete \(deb.path) and run again, or update the pin in DebianDownload.swift.")
        }
        try? FileManager.default.removeItem(at: unpacked)  // a partial unpack of an earlier run, or nothing
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        let extracted = try await Command.run("dpkg-deb", ["-x", deb.path, unpacked.path])
        guard extracted.succeeded else { throw StackError("dpkg-deb -x \(deb.path) failed:\n" + extracted.tail().joined(separator: "\n")) }
        try Data().write(to: marker)
        return unpacked
    }

    /// `apt-get update` then `apt-get download package=version`, with this release's sources
    /// list and lists folder under `folder` (Dir::Etc::SourceList, Dir::State::Lists).
    func download(into folder: URL, progress: ProgressReporter) async throws {
        guard Command.which("apt-get") != nil, Command.which("dpkg-deb") != nil else {
            throw StackError("Connect 4.x needs \(package) \(version) from Debian \(release), fetched with apt-get and unpacked with dpkg-deb; neither is on this machine.")
        }
        let lists = folder.appendingPathComponent("lists")
        try FileManager.default.createDirectory(at: lists.appendingPathComponent("partial"), withIntermediateDirectories: true)
        let sources = folder.appendingPathComponent("sources.list")
        try "deb http://deb.debian.org/debian \(release) main\n".write(to: sources, atomically: true, encoding: .utf8)
        let options = ["-o", "Dir::Etc::SourceList=\(sources.path)", "-o", "Dir::Etc::SourceParts=/dev/null", "-o", "Dir::State::Lists=\(lists.path)",
                       "-o", "APT::Sandbox::User=\(getuid() == 0 ? "root" : NSUserName())"]
        progress("Downloading \(package) \(version) from Debian \(release) (apt-get download, into \(folder.path); nothing is installed)")
        let updated = try await Command.run("apt-get", options + ["update", "-q"])
        guard updated.succeeded else {
            throw StackError("apt-get update for Debian \(release) failed (is deb.debian.org reachable?):\n" + updated.tail().joined(separator: "\n"))
        }
        let downloaded = try await Command.run("apt-get", options + ["download", "\(package)=\(version)"], currentDirectory: folder)
        guard downloaded.succeeded else {
            throw StackError("apt-get download \(package)=\(version) from Debian \(release) failed (a newer point release may have replaced it: update the pin in DebianDownload.swift):\n"
                             + downloaded.tail().joined(separator: "\n"))
        }
    }
}
