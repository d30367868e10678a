import Crypto
import Foundation

/// A sha256 computed while bytes go by (downloads are hashed as they are written).
struct RunningDigest {
    private var hasher = SHA256()
    private(set) var byteCount = 0

    mutating func update<Bytes: DataProtocol>(_ bytes: Bytes) {
        hasher.update(data: bytes)
        byteCount += bytes.count
    }

    func finalize() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The sha256 of a whole file, read in 1 MiB chunks.
    static func of(file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }  // only read from: closing cannot lose data
        var digest = RunningDigest()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            digest.update(chunk)
        }
        return digest.finalize()
    }
}
