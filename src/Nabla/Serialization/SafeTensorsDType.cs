using System.Buffers.Binary;

namespace Nabla.Serialization;

/// <summary>The element types of the safetensors format that Nabla reads: F64 and F32 as they are, the others
/// converted to float32.</summary>
internal enum SafeTensorsDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    Bool,
}

/// <summary>Names, sizes and conversions of <see cref="SafeTensorsDType"/>.</summary>
internal static class SafeTensorsDTypeExtensions
{
    /// <summary>The dtypes the format defines that Nabla refuses (8-, 6- and 4-bit floats, complex numbers).</summary>
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal)
    {
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };

    /// <summary>The list given in messages.</summary>
    public const string ReadableNames = "F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL";

    public static bool TryParse(string name, out SafeTensorsDType dtype, out bool known)
    {
        (dtype, bool found) = name switch
        {
            "F64" => (SafeTensorsDType.F64, true),
            "F32" => (SafeTensorsDType.F32, true),
            "F16" => (SafeTensorsDType.F16, true),
            "BF16" => (SafeTensorsDType.BF16, true),
            "I64" => (SafeTensorsDType.I64, true),
            "I32" => (SafeTensorsDType.I32, true),
            "I16" => (SafeTensorsDType.I16, true),
            "I8" => (SafeTensorsDType.I8, true),
            "U64" => (SafeTensorsDType.U64, true),
            "U32" => (SafeTensorsDType.U32, true),
            "U16" => (SafeTensorsDType.U16, true),
            "U8" => (SafeTensorsDType.U8, true),
            "BOOL" => (SafeTensorsDType.Bool, true),
            _ => (default, false),
        };
        known = found || Refused.Contains(name);
        return found;
    }

    public static string Name(this SafeTensorsDType dtype) => dtype == SafeTensorsDType.Bool ? "BOOL" : dtype.ToString();

    public static int Size(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 or SafeTensorsDType.U32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 or SafeTensorsDType.U16 => 2,
        _ => 1,
    };

    /// <summary>Converts little-endian elements of <paramref name="dtype"/> to float32 (round to nearest for the
    /// 32- and 64-bit integers beyond 2²⁴; BOOL gives 1 for any non-zero byte).</summary>
    public static void ConvertToFloat(this SafeTensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int size = dtype.Size();
        for (int i = 0; i < destination.Length; i++)
        {
            var b = source.Slice(i * size, size);
            destination[i] = dtype switch
            {
                SafeTensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b),
                SafeTensorsDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                SafeTensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                // bfloat16 is the upper half of a float32.
                SafeTensorsDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                SafeTensorsDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                SafeTensorsDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                SafeTensorsDType.I16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                SafeTensorsDType.I8 => (sbyte)b[0],
                SafeTensorsDType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
                SafeTensorsDType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                SafeTensorsDType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                SafeTensorsDType.U8 => b[0],
                _ => b[0] != 0 ? 1f : 0f,
            };
        }
    }
}
