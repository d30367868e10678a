/// Maps `items` with at most `limit` operations in flight; results keep the items' order.
/// Applying connectors, validating them on the server and installing plugins all use it.
public func boundedMap<Item: Sendable, Result: Sendable>(_ items: [Item], limit: Int, _ transform: @escaping @Sendable (Item) async -> Result) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        func launch() {
            let index = next, item = items[index]
            group.addTask { (index, await transform(item)) }
            next += 1
        }
        while next < min(max(limit, 1), items.count) { launch() }
        for await (index, result) in group {
            results[index] = result
            if next < items.count { launch() }
        }
        return results.map { $0! }
    }
}
