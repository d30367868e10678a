import CSwitchboardZlib
import Foundation

/// Inflates a gzip file in chunks with zlib, and fails when the stream does not end properly
/// (a truncated download). compress-nio's streaming API does not report the end of the stream,
/// hence zlib directly.
enum GzipReader {
    static func inflate(file: URL, what: String, _ consume: (UnsafeRawBufferPointer) throws(PluginError) -> Void) throws(PluginError) {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw PluginError("\(what): cannot read \(file.path): \(error)")
        }
        defer { try? handle.close() }  // only read from: closing cannot lose data
        // zlib keeps a pointer to its z_stream: it must not move, so it lives on the heap.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard czlib_inflate_init_gzip(stream) == Z_OK else {
            throw PluginError("\(what): zlib could not start inflating.")
        }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { output.deallocate() }
        var ended = false
        while !ended {
            let chunk: Data
            do {
                guard let read = try handle.read(upToCount: 1 << 20), !read.isEmpty else { break }
                chunk = read
            } catch {
                throw PluginError("\(what): cannot read \(file.path): \(error)")
            }
            do {
                try chunk.withUnsafeBytes { (input: UnsafeRawBufferPointer) throws in
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                    stream.pointee.avail_in = uInt(input.count)
                    repeat {
                        stream.pointee.next_out = output.bindMemory(to: Bytef.self).baseAddress
                        stream.pointee.avail_out = uInt(output.count)
                        let status = CSwitchboardZlib.inflate(stream, Z_NO_FLUSH)
                        let produced = output.count - Int(stream.pointee.avail_out)
                        if produced > 0 {
                            try consume(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
                        }
                        switch status {
                        case Z_STREAM_END:
                            ended = true
                        case Z_OK, Z_BUF_ERROR:
                            break
                        default:
                            throw PluginError("\(what) is not a valid gzip archive (zlib error \(status)); it is corrupt or not a tar.gz.")
                        }
                    } while !ended && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
                }
            } catch let error as PluginError {
                throw error
            } catch {
                throw PluginError("\(what): \(error)")
            }
        }
        guard ended else {
            throw PluginError("\(what): the gzip stream ends early; the archive is truncated.")
        }
    }
}
