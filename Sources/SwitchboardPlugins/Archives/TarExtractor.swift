import Foundation

/// Unpacks a tar stream fed in arbitrary chunks (from ``GzipReader``): ustar and GNU headers,
/// GNU long names and pax extended headers. Written by hand because no package Switchboard may
/// use reads tar. Regular files, directories and links are supported; devices and fifos are
/// refused, as are entries that leave the root.
struct TarExtractor {
    let root: URL
    let what: String
    /// The most bytes the archive's files may hold together.
    let maxBytes: Int64

    private enum State {
        case header
        /// Writing an entry's data; `padding` bytes follow it.
        case data(remaining: Int, padding: Int, sink: Sink)
        case padding(remaining: Int)
        case ended
    }

    /// Where an entry's data goes.
    private enum Sink {
        case file(FileHandle)
        /// Pax or GNU long-name data, kept in memory and applied to the next entry.
        case metadata(kind: UInt8, data: Data)
        case discard
    }

    private var state: State = .header
    private var header = Data()
    private var zeroBlocks = 0
    private var longName: String?
    private var longLink: String?
    private var paxPath: String?
    private var paxLink: String?
    private var paxSize: Int?
    private var links: LinkList
    private var hardLinks: [([String], [String])] = []
    private(set) var files = 0
    /// Bytes of file data written so far.
    private var unpacked: Int64 = 0

    init(root: URL, what: String, maxBytes: Int64 = PluginInstaller.defaultMaxUnpackedBytes) {
        self.root = root
        self.what = what
        self.maxBytes = maxBytes
        self.links = LinkList(root: root, what: what)
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(PluginError) {
        var offset = 0
        while offset < bytes.count {
            switch state {
            case .ended:
                return
            case .header:
                let take = min(512 - header.count, bytes.count - offset)
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
                offset += take
                if header.count == 512 {
                    let block = header
                    header.removeAll(keepingCapacity: true)
                    try handleHeader(block)
                }
            case .data(let remaining, let padding, var sink):
                let take = min(remaining, bytes.count - offset)
                let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take])
                switch sink {
                case .file(let handle):
                    unpacked += Int64(take)
                    do {
                        try handle.write(contentsOf: slice)
                    } catch {
                        throw PluginError("\(what): could not write a file: \(error)")
                    }
                case .metadata(let kind, var data):
                    data.append(contentsOf: slice)
                    sink = .metadata(kind: kind, data: data)
                case .discard:
                    break
                }
                offset += take
                if remaining - take == 0 {
                    try finishEntry(sink)
                    state = padding > 0 ? .padding(remaining: padding) : .header
                } else {
                    state = .data(remaining: remaining - take, padding: padding, sink: sink)
                }
            case .padding(let remaining):
                let take = min(remaining, bytes.count - offset)
                offset += take
                state = remaining - take == 0 ? .header : .padding(remaining: remaining - take)
            }
        }
    }

    /// Checks that the stream did not stop inside an entry, then creates the links.
    /// Returns the number of files written.
    mutating func finish() throws(PluginError) -> Int {
        switch state {
        case .data, .padding:
            throw PluginError("\(what): the tar stream ends inside an entry; the archive is truncated.")
        case .header where !header.isEmpty:
            throw PluginError("\(what): the tar stream ends inside a header; the archive is truncated.")
        default:
            break
        }
        for (entry, target) in hardLinks {
            let source = root.appendingPathComponent(target.joined(separator: "/"))
            try links.refuseThroughLink(target)
            let path = root.appendingPathComponent(entry.joined(separator: "/"))
            do {
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: source, to: path)
                files += 1
            } catch {
                throw PluginError("\(what): the hard link '\(entry.joined(separator: "/"))' names '\(target.joined(separator: "/"))', which the archive does not hold.")
            }
        }
        try links.create()
        return files
    }

    // MARK: headers

    private mutating func handleHeader(_ block: Data) throws(PluginError) {
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .ended }
            return
        }
        zeroBlocks = 0
        guard Self.checksumMatches(block) else {
            throw PluginError("\(what) is not a valid tar archive (a header checksum is wrong); it is corrupt.")
        }
        let type = block[156]
        var name = string(block, 0, 100)
        let prefix = string(block, 345, 155)
        if !prefix.isEmpty, block[257..<262].elementsEqual("ustar".utf8) { name = "\(prefix)/\(name)" }
        name = paxPath ?? longName ?? name
        let link = paxLink ?? longLink ?? string(block, 157, 100)
        let size: Int
        if let paxSize { size = paxSize } else { size = try number(block, 124, 12) }
        guard size >= 0 else {
            throw PluginError("\(what) is not a valid tar archive (an entry has a negative size); it is corrupt.")
        }
        let padding = (512 - size % 512) % 512

        // Metadata entries describe the next entry.
        if type == UInt8(ascii: "x") || type == UInt8(ascii: "L") || type == UInt8(ascii: "K") || type == UInt8(ascii: "g") {
            guard size <= 1 << 20 else { throw PluginError("\(what): a tar metadata entry is implausibly large; the archive is refused.") }
            state = .data(remaining: size, padding: padding, sink: .metadata(kind: type, data: Data()))
            if size == 0 { try finishEntry(.metadata(kind: type, data: Data())); state = .header }
            return
        }
        longName = nil; longLink = nil; paxPath = nil; paxLink = nil; paxSize = nil

        guard let parts = EntryPath.components(name) else {
            throw PluginError("\(what): the entry '\(name)' would be written outside the plugin folder; the archive is refused.")
        }
        try links.refuseThroughLink(parts)
        if Int64(size) > maxBytes - unpacked {
            throw PluginError("\(what) unpacks to more than the cap of \(maxBytes) bytes (the entry '\(name)' alone holds \(size)); the archive is refused.")
        }
        let sink = try openEntry(type: type, name: name, parts: parts, link: link, size: size)
        if size == 0 {
            try finishEntry(sink)
            state = .header
        } else {
            state = .data(remaining: size, padding: padding, sink: sink)
        }
    }

    /// Creates what a file, folder or link entry stands for; returns where its data goes.
    private mutating func openEntry(type: UInt8, name: String, parts: [String], link: String, size: Int) throws(PluginError) -> Sink {
        let target = root.appendingPathComponent(parts.joined(separator: "/"))
        var sink = Sink.discard
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            guard !parts.isEmpty else { throw PluginError("\(what): a file entry has no name; the archive is refused.") }
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: target.path, contents: nil) else {
                    throw PluginError("\(what): could not create '\(name)'.")
                }
                sink = .file(try FileHandle(forWritingTo: target))
            } catch let error as PluginError {
                throw error
            } catch {
                throw PluginError("\(what): could not create '\(name)': \(error)")
            }
            files += 1
        case UInt8(ascii: "5"):
            do {
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            } catch {
                throw PluginError("\(what): could not create the folder '\(name)': \(error)")
            }
        case UInt8(ascii: "2"):
            try links.add(parts, target: link)
        case UInt8(ascii: "1"):
            guard size == 0 else {
                throw PluginError("\(what): the hard link '\(name)' carries data; the archive is corrupt.")
            }
            guard let linkParts = EntryPath.components(link), !linkParts.isEmpty else {
                throw PluginError("\(what): the hard link '\(name)' names '\(link)', outside the plugin folder; the archive is refused.")
            }
            hardLinks.append((parts, linkParts))
        default:
            throw PluginError("\(what): the entry '\(name)' is a device, fifo or other special file (type '\(Character(UnicodeScalar(type)))'); plugin archives hold files only.")
        }
        return sink
    }

    private mutating func finishEntry(_ sink: Sink) throws(PluginError) {
        switch sink {
        case .file(let handle):
            try? handle.close()  // every byte was written and counted; sizes are checked after unpacking
        case .metadata(let kind, let data):
            switch kind {
            case UInt8(ascii: "L"): longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "K"): longLink = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"): try applyPax(data)
            default: break
            }
        case .discard:
            break
        }
    }

    /// Pax records: "<length> <key>=<value>\n".
    private mutating func applyPax(_ data: Data) throws(PluginError) {
        var rest = Substring(String(decoding: data, as: UTF8.self))
        while !rest.isEmpty {
            guard let space = rest.firstIndex(of: " "), let length = Int(rest[..<space]), length > 0, length <= rest.utf8.count else {
                throw PluginError("\(what): a pax header is malformed; the archive is corrupt.")
            }
            let record = String(rest.utf8.prefix(length)) ?? ""
            rest = Substring(String(rest.utf8.dropFirst(length)) ?? "")
            let body = record.drop { $0 != " " }.dropFirst().dropLast(record.hasSuffix("\n") ? 1 : 0)
            guard let equals = body.firstIndex(of: "=") else { continue }
            let key = body[..<equals], value = String(body[body.index(after: equals)...])
            switch key {
            case "path": paxPath = value
            case "linkpath": paxLink = value
            case "size":
                guard let size = Int(value), size >= 0 else {
                    throw PluginError("\(what): a pax header gives the size '\(value.prefix(40))'; the archive is corrupt.")
                }
                paxSize = size
            default: break
            }
        }
    }

    // MARK: fields

    private func string(_ block: Data, _ offset: Int, _ length: Int) -> String {
        let start = block.startIndex + offset
        let field = block[start..<start + length]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field, or GNU base-256 (high bit set) for large sizes.
    private func number(_ block: Data, _ offset: Int, _ length: Int) throws(PluginError) -> Int {
        let start = block.startIndex + offset
        let field = block[start..<start + length]
        if let first = field.first, first & 0x80 != 0 {
            // GNU base-256: 0x80 marks a positive number, 0xff a negative one (never a size).
            guard first == 0x80 else {
                throw PluginError("\(what) is not a valid tar archive (a size field is negative); it is corrupt.")
            }
            var value = 0
            for byte in field.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                guard !overflow else {
                    throw PluginError("\(what) is not a valid tar archive (a size field overflows); it is corrupt.")
                }
                value = shifted | Int(byte)
            }
            return value
        }
        let text = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return 0 }
        guard let value = Int(text, radix: 8), value >= 0 else {
            throw PluginError("\(what) is not a valid tar archive (a size field is not a number); it is corrupt.")
        }
        return value
    }

    /// The header checksum: the sum of all bytes with the checksum field read as spaces.
    static func checksumMatches(_ block: Data) -> Bool {
        let start = block.startIndex
        let stored = String(decoding: block[start + 148..<start + 156].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard let expected = Int(stored.trimmingCharacters(in: .whitespaces), radix: 8) else { return false }
        var sum = 0
        for (index, byte) in block.enumerated() {
            sum += (148..<156).contains(index) ? 0x20 : Int(byte)
        }
        return sum == expected
    }
}
