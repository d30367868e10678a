/// Makes equal strings one: 20,000 connectors repeat the same config keys and class names
/// (`value.converter.schemas.enable`, `org.apache.kafka.connect.json.JsonConverter`), and each
/// parsed or decoded copy of a string longer than 15 bytes is an allocation of its own. The
/// catalog loader and the bulk read of a cluster each share through one pool while they read.
public struct StringPool {
    private var strings: Set<String> = []

    public init() {}

    public mutating func share(_ string: String) -> String {
        // Up to 15 UTF-8 bytes, a string is stored inline: nothing to share.
        string.utf8.count <= 15 ? string : strings.insert(string).memberAfterInsert
    }

    /// The same config, its keys and values shared.
    public mutating func share(_ config: [String: String]) -> [String: String] {
        var shared = [String: String](minimumCapacity: config.count)
        for (key, value) in config { shared[share(key)] = share(value) }
        return shared
    }

    /// Takes the config's keys and values as the ones to share from now on.
    public mutating func remember(_ config: [String: String]) {
        for (key, value) in config {
            _ = share(key)
            _ = share(value)
        }
    }

    /// The same table, its keys shared.
    public mutating func shareKeys<Value>(_ table: [String: Value]) -> [String: Value] {
        var shared = [String: Value](minimumCapacity: table.count)
        for (key, value) in table { shared[share(key)] = value }
        return shared
    }
}
