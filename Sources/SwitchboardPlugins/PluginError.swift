/// Why mirroring, installing or verifying plugins failed, naming the artifact, file or entry.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    static func checksumMismatch(_ what: String, expected: String, actual: String) -> PluginError {
        PluginError("\(what): sha256 is \(actual), but plugins.yaml expects \(expected). The file is corrupt or not the pinned release; nothing was installed.")
    }
}
