import CHDF5

/// The element type of a stored dataset or attribute.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    case float64, float32, int64, int32, uint8
    /// A string, variable- or fixed-length.
    case string
    /// Anything else (another integer width, compound, enum, …), described in words.
    case other(String)

    public var description: String {
        switch self {
        case .float64: return "float64"
        case .float32: return "float32"
        case .int64: return "int64"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .string: return "string"
        case .other(let text): return text
        }
    }

    /// Bytes per element in memory (numeric types only).
    var byteCount: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .uint8: return 1
        case .string: return MemoryLayout<UnsafePointer<CChar>>.size
        case .other: return 0
        }
    }

    /// The native HDF5 type for a numeric element type; nil for strings and others.
    var nativeType: hid_t? {
        switch self {
        case .float64: return geodim_H5T_NATIVE_DOUBLE()
        case .float32: return geodim_H5T_NATIVE_FLOAT()
        case .int64: return geodim_H5T_NATIVE_INT64()
        case .int32: return geodim_H5T_NATIVE_INT32()
        case .uint8: return geodim_H5T_NATIVE_UINT8()
        case .string, .other: return nil
        }
    }

    /// Classifies a stored datatype. Byte order is ignored: reads convert to native order.
    init(classifying type: hid_t) {
        let size = H5Tget_size(type)
        let bits = size * 8
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            switch size {
            case 8: self = .float64
            case 4: self = .float32
            default: self = .other("float\(bits)")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) != H5T_SGN_NONE
            switch (signed, size) {
            case (true, 8): self = .int64
            case (true, 4): self = .int32
            case (false, 1): self = .uint8
            default: self = .other(signed ? "int\(bits)" : "uint\(bits)")
            }
        case H5T_STRING:
            self = .string
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ENUM: self = .other("enum")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("variable-length sequence")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_BITFIELD: self = .other("bitfield")
        default: self = .other("unknown type")
        }
    }
}

/// A Swift number type that maps one-to-one onto a native HDF5 type.
///
/// The conformances are `Double` (float64), `Float` (float32), `Int64` and `Int` (int64),
/// `Int32` (int32) and `UInt8` (uint8). Reads are strict: a dataset is read as `T` only when
/// its stored type is `T.hdf5ElementType`. Do not add conformances outside this module.
public protocol HDF5Scalar: Sendable {
    /// The HDF5 element type this Swift type is stored as.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
/// `Int` is stored as int64 (geodim builds only for 64-bit platforms).
extension Int: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }

extension HDF5Scalar {
    /// The native memory type for `Self`, after checking that the layout really matches.
    static func memoryType(_ site: CallSite) throws -> hid_t {
        let element = hdf5ElementType
        guard let type = element.nativeType, element.byteCount == MemoryLayout<Self>.size else {
            throw site.invalid("\(Self.self) is not a supported HDF5 element type")
        }
        return type
    }
}

/// An N-dimensional array read from a dataset: values in row-major (C) order plus the shape.
///
/// `shape` is `[]` for a scalar dataset (one value); `values.count` is the product of `shape`.
public struct HDF5Array<Element: HDF5Scalar>: Sendable {
    public var values: [Element]
    public var shape: [Int]

    public init(values: [Element], shape: [Int]) {
        self.values = values
        self.shape = shape
    }
}

extension HDF5Array: Equatable where Element: Equatable {}
