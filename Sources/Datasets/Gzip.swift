import CZlib

/// gzip decompression through zlib's inflate (the only use of CZlib in the package).
public enum Gzip {
    /// Whether the bytes start with the gzip magic `1f 8b` (detection is by content, never
    /// by file name).
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip file's bytes (one member or several concatenated), checking each
    /// member's CRC-32 and length.
    ///
    /// - Parameter path: the file the bytes came from, named in errors.
    /// - Throws: ``DatasetError/corruptGzip(path:reason:)`` for invalid deflate data, a failed
    ///   CRC-32 or length check, a stream that ends early, or trailing bytes that are not
    ///   another gzip member.
    public static func decompress(_ input: [UInt8], path: String) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: maximal window, gzip wrapper only (a zlib or raw stream is an error).
        let initStatus = inflateInit2_(
            &stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw DatasetError.corruptGzip(
                path: path, reason: "zlib inflateInit2 failed with code \(initStatus)")
        }
        defer { inflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: initialCapacity(for: input))
        var produced = 0
        try input.withUnsafeBufferPointer { inBuffer in
            guard let inBase = inBuffer.baseAddress else {
                throw DatasetError.corruptGzip(path: path, reason: "empty input")
            }
            var fed = 0  // bytes of input handed to zlib so far
            while true {
                if stream.avail_in == 0 && fed < inBuffer.count {
                    let chunk = min(inBuffer.count - fed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: inBase + fed)
                    stream.avail_in = UInt32(chunk)
                    fed += chunk
                }
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                }
                let status = output.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                    guard let outBase = outBuffer.baseAddress else { return Z_BUF_ERROR }
                    let room = min(outBuffer.count - produced, Int(UInt32.max))
                    stream.next_out = outBase + produced
                    stream.avail_out = UInt32(room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return status
                }
                let remaining = Int(stream.avail_in) + (inBuffer.count - fed)
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    if remaining == 0 { return }
                    let next = inBuffer.count - remaining
                    guard remaining >= 2, inBuffer[next] == 0x1f, inBuffer[next + 1] == 0x8b else {
                        throw DatasetError.corruptGzip(
                            path: path,
                            reason: "\(remaining) bytes of trailing data after the gzip stream")
                    }
                    inflateReset(&stream)  // another member follows
                case Z_BUF_ERROR where stream.avail_out == 0:
                    continue  // output full: the loop grows it
                case Z_BUF_ERROR:
                    // No progress with room to write: the input ran out mid-stream.
                    throw DatasetError.corruptGzip(
                        path: path,
                        reason: "compressed data end early after \(produced) uncompressed "
                            + "bytes (the .gz file is truncated)")
                default:
                    throw DatasetError.corruptGzip(
                        path: path, reason: inflateFailure(status, message: stream.msg))
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// The last member's ISIZE field (uncompressed length mod 2³²), bounded by deflate's
    /// maximal ratio so that a damaged trailer cannot ask for gigabytes.
    private static func initialCapacity(for input: [UInt8]) -> Int {
        guard input.count >= 18 else { return 1 << 16 }
        let tail = input.suffix(4).map(Int.init)
        let isize = tail[0] | tail[1] << 8 | tail[2] << 16 | tail[3] << 24
        return max(1 << 16, min(isize + 1, input.count * 1032))
    }

    private static func inflateFailure(_ status: Int32, message: UnsafeMutablePointer<CChar>?) -> String {
        let detail = message.map { String(cString: $0) } ?? "zlib status \(status)"
        switch detail {
        case "incorrect data check": return "inflate failed: incorrect data check (CRC-32 mismatch)"
        case "incorrect length check": return "inflate failed: incorrect length check (ISIZE mismatch)"
        default: return "inflate failed: \(detail)"
        }
    }
}
