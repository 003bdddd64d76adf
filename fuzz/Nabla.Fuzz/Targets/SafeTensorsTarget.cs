using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Nabla.Fuzz.Engine;
using Nabla.Serialization;
using Nabla.Tensors;

namespace Nabla.Fuzz.Targets;

/// <summary>safetensors bytes (<see cref="SafeTensors.Read(ReadOnlyMemory{byte}, string)"/>).</summary>
internal sealed class SafeTensorsTarget : FuzzTarget
{
    public override string Name => "safetensors";

    public override string Description => "SafeTensors.Read of safetensors bytes";

    public override string FileName => "fuzz.safetensors";

    // The header is JSON: token mutations reach its fields, byte mutations the size prefix and the data.
    public override InputStyle Style => InputStyle.Text;

    public override IReadOnlyList<byte[]> Dictionary { get; } = Words.Of(
        "dtype", "shape", "data_offsets", "__metadata__", "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL",
        "F8_E5M2", "F8_E4M3", "C64", "F4", "format", "pt", "\"a\":", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "[0,0]", "[]", "[1,2,3]");

    public override IReadOnlyList<byte[]> Seeds() =>
    [
        File(
            [("weight", "F32", [2, 3], Floats(1, -2, 3.5f, 0, 1e-3f, -7)), ("bias", "F32", [3], Floats(0.1f, 0.2f, 0.3f))],
            new() { ["format"] = "pt" }),
        File(
            [("d", "F64", [], BitConverter.GetBytes(Math.PI)), ("h", "F16", [2], [0x00, 0x3C, 0x00, 0xC0]), ("bf", "BF16", [2], [0x80, 0x3F, 0x00, 0x40]),
             ("i64", "I64", [1], BitConverter.GetBytes(-5L)), ("i32", "I32", [2], [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]), ("i16", "I16", [1], [0xFE, 0xFF]),
             ("i8", "I8", [2], [0x80, 0x7F]), ("u64", "U64", [1], BitConverter.GetBytes(ulong.MaxValue)), ("u32", "U32", [1], [1, 2, 3, 4]),
             ("u16", "U16", [1], [0xFF, 0xFF]), ("u8", "U8", [3], [0, 128, 255]), ("b", "BOOL", [2, 1], [0, 1])],
            null),
        File([("empty", "F32", [0, 3], []), ("scalar", "F32", [], Floats(2))], new() { ["note"] = "an empty tensor and a scalar" }),
        File([("layers.0.weight", "F32", [1, 1, 1, 1], Floats(1))], new()),
        Written(),
    ];

    public override void Run(byte[] input)
    {
        var (tensors, metadata) = SafeTensors.Read(input, FileName);
        long values = 0;
        foreach (var (name, t) in tensors)
        {
            if (name is null || name == SafeTensors.MetadataKey || t.Count != t.Shape.Aggregate(1L, (a, d) => a * d))
                throw new InvariantException($"tensor '{name}' of shape {t.Shape} holds {t.Count} values");
            values += t.Count;
        }

        if (values > input.Length) throw new InvariantException($"{values} values from {input.Length} bytes");
        if (metadata.Any(m => m.Key is null || m.Value is null)) throw new InvariantException("null metadata");
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    /// <summary>A safetensors file written by hand: the header in the tensors' order, data back to back.</summary>
    public static byte[] File((string Name, string DType, int[] Shape, byte[] Data)[] tensors, Dictionary<string, string>? metadata)
    {
        var header = new StringBuilder("{");
        if (metadata is not null)
        {
            header.Append("\"__metadata__\":{");
            header.AppendJoin(',', metadata.Select(m => $"\"{m.Key}\":\"{m.Value}\""));
            header.Append("},");
        }

        long offset = 0;
        foreach (var (name, dtype, shape, data) in tensors)
        {
            header.Append(CultureInfo.InvariantCulture, $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(',', shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}},");
            offset += data.Length;
        }

        header.Length--;
        header.Append('}');
        while ((header.Length + 8) % 8 != 0) header.Append(' ');
        var json = Encoding.UTF8.GetBytes(header.ToString());
        var bytes = new List<byte>(new byte[8]);
        BinaryPrimitives.WriteUInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), (ulong)json.Length);
        bytes.AddRange(json);
        foreach (var t in tensors) bytes.AddRange(t.Data);
        return [.. bytes];
    }

    /// <summary>A file as <see cref="SafeTensors.Write"/> writes it (8-byte elements first, padded header).</summary>
    private static byte[] Written()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nabla-fuzz-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Write(path, [new("w", Tensor.FromArray(new float[] { 1, 2, 3, 4 }, new Shape(2, 2))), new("x", Tensor.FromArray(new double[] { -1, 0.5 }, new Shape(2)))], new Dictionary<string, string> { ["format"] = "pt" });
            return System.IO.File.ReadAllBytes(path);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
