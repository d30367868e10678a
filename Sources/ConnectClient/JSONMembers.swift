import Foundation

/// The members of one JSON object, each value left as the text it was sent as: enough to tell
/// which members differ from an earlier answer before decoding any of them (``BulkRead``).
///
/// Strict about the object's own shape (braces, keys, colons, commas, nothing after it); a
/// value's inside is only skipped here, and is checked by the decoder when it is decoded.
enum JSONMembers {
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var expected: String
        var description: String { "expected \(expected) at byte \(offset)" }
    }

    /// Each member's key and the byte range of its value, in the order they are written.
    static func split(_ bytes: UnsafeRawBufferPointer) throws -> [(key: String, value: Range<Int>)] {
        var scanner = Scanner(bytes: bytes)
        var members: [(key: String, value: Range<Int>)] = []
        try scanner.expect(UInt8(ascii: "{"), "'{'")
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                let key = try scanner.key()
                try scanner.expect(UInt8(ascii: ":"), "':' after a key")
                scanner.skipSpace()
                let start = scanner.position
                try scanner.skipValue()
                members.append((key, start..<scanner.position))
                if scanner.peek() == UInt8(ascii: ",") { scanner.position += 1; continue }
                try scanner.expect(UInt8(ascii: "}"), "',' or '}' after a value")
                break
            }
        }
        scanner.skipSpace()
        guard scanner.position == bytes.count else { throw Malformed(offset: scanner.position, expected: "the end of the answer") }
        return members
    }

    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        static func endsLiteral(_ byte: UInt8) -> Bool { byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || isSpace(byte) }

        mutating func skipSpace() {
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
        }

        /// The next byte after white space, nil at the end.
        mutating func peek() -> UInt8? {
            skipSpace()
            return position < bytes.count ? bytes[position] : nil
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard peek() == byte else { throw Malformed(offset: position, expected: what) }
            position += 1
        }

        /// A member's key: a JSON string, its escapes undone.
        mutating func key() throws -> String {
            guard peek() == UInt8(ascii: "\"") else { throw Malformed(offset: position, expected: "a key") }
            let start = position
            try skipString()
            let text = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
            if !text.contains(UInt8(ascii: "\\")), let key = String(validating: text, as: UTF8.self) { return key }
            // Rare: a name with escapes (or not UTF-8, which the decoder refuses with its reason).
            return try JSONDecoder().decode(String.self, from: Data(bytes[start..<position]))
        }

        /// Past one string, from its opening quote.
        mutating func skipString() throws {
            let start = position
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""): position += 1; return
                default: position += 1
                }
            }
            throw Malformed(offset: start, expected: "the end of a string")
        }

        /// Past one value: a string, an object or array (to its matching close), or a literal.
        mutating func skipValue() throws {
            guard let first = peek() else { throw Malformed(offset: position, expected: "a value") }
            switch first {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let start = position
                var depth = 0
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\""): try skipString(); continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { position += 1; return }
                    default: break
                    }
                    position += 1
                }
                throw Malformed(offset: start, expected: "the end of an object or array")
            default:
                let start = position
                while position < bytes.count, !Self.endsLiteral(bytes[position]) { position += 1 }
                guard position > start else { throw Malformed(offset: start, expected: "a value") }
            }
        }
    }
}
