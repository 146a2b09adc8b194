import Foundation

/// A TensorBoard event file of scalars, written without TensorFlow, protobuf or Python.
///
/// The format, as TensorFlow documents it (`tensorflow/core/util/event.proto`,
/// `tensorflow/core/lib/io/record_writer.cc`):
/// - the file is a sequence of TFRecords: `uint64 length` (little-endian), `uint32
///   masked_crc32c(length bytes)`, the `length` bytes of data, `uint32 masked_crc32c(data)`,
///   where `masked(c) = ((c >> 15) | (c << 17)) &+ 0xa282ead8` and CRC-32C is the
///   Castagnoli CRC (reflected polynomial 0x82F63B78);
/// - each record is one serialized `Event { double wall_time = 1; int64 step = 2;
///   string file_version = 3; Summary summary = 5; }`, the first holding only
///   `file_version = "brain.Event:2"`;
/// - `Summary { repeated Value value = 1; }`, `Value { string tag = 1; float simple_value = 2; }`.
///
/// The few protobuf encodings needed (varint, fixed64, fixed32, length-delimited) are written
/// by hand here, so the exporter needs nothing beyond Foundation. `simple_value` is a float32:
/// every scalar TensorBoard shows is one, integers up to 2^24 are exact in it, and a float64
/// is rounded to nearest. TensorBoard reads the files of a directory whose names contain
/// `tfevents`, in name order.
public struct TensorBoardEventFile {
    /// One Event: the scalars logged at one step.
    public struct Event {
        public var step: Int64
        /// Seconds since 1970 (UTC).
        public var wallTime: Double
        public var scalars: [(tag: String, value: Float)]

        public init(step: Int64, wallTime: Double, scalars: [(tag: String, value: Float)]) {
            self.step = step
            self.wallTime = wallTime
            self.scalars = scalars
        }
    }

    /// The file's bytes: the file-version record, then one record per event, in order.
    public static func encode(_ events: [Event], wallTime: Double) -> Data {
        var file = Data()
        var header = Protobuf()
        header.double(field: 1, wallTime)
        header.string(field: 3, "brain.Event:2")
        appendRecord(header.bytes, to: &file)
        for event in events {
            var summary = Protobuf()
            for (tag, value) in event.scalars {
                var entry = Protobuf()
                entry.string(field: 1, tag)
                entry.float(field: 2, value)
                summary.message(field: 1, entry)
            }
            var message = Protobuf()
            message.double(field: 1, event.wallTime)
            message.varint(field: 2, UInt64(bitPattern: event.step))
            message.message(field: 5, summary)
            appendRecord(message.bytes, to: &file)
        }
        return file
    }

    /// Appends one TFRecord holding `data`.
    static func appendRecord(_ data: [UInt8], to file: inout Data) {
        let length = littleEndian(UInt64(data.count))
        file.append(contentsOf: length)
        file.append(contentsOf: littleEndian(maskedCRC32C(length)))
        file.append(contentsOf: data)
        file.append(contentsOf: littleEndian(maskedCRC32C(data)))
    }

    /// The CRC-32C of `bytes`, masked as TFRecord stores it (a CRC of data holding CRCs is
    /// then not itself trivially a CRC).
    static func maskedCRC32C(_ bytes: [UInt8]) -> UInt32 {
        let crc = crc32c(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
    }

    /// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final xor
    /// 0xFFFFFFFF. crc32c("123456789") = 0xE3069283.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1 }
        return value
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// A protobuf message being encoded: fields appended in order.
    struct Protobuf {
        var bytes: [UInt8] = []

        private mutating func rawVarint(_ value: UInt64) {
            var rest = value
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }

        /// The field key: number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
        private mutating func key(_ field: Int, _ wireType: UInt64) { rawVarint(UInt64(field) << 3 | wireType) }

        mutating func varint(field: Int, _ value: UInt64) {
            key(field, 0)
            rawVarint(value)
        }

        mutating func double(field: Int, _ value: Double) {
            key(field, 1)
            bytes += littleEndian(value.bitPattern)
        }

        mutating func float(field: Int, _ value: Float) {
            key(field, 5)
            bytes += littleEndian(value.bitPattern)
        }

        mutating func string(field: Int, _ value: String) {
            key(field, 2)
            rawVarint(UInt64(value.utf8.count))
            bytes += Array(value.utf8)
        }

        mutating func message(field: Int, _ value: Protobuf) {
            key(field, 2)
            rawVarint(UInt64(value.bytes.count))
            bytes += value.bytes
        }
    }
}
