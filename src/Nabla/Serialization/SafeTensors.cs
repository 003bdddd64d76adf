using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Serialization;

/// <summary>Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>, padded with
/// spaces to a multiple of 8), then the tensors' little-endian bytes, offsets relative to the end of the header.</summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes the tensors (in the given order) and string metadata to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine");
        var list = tensors.ToList();
        using var headerJson = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerJson))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, t) in list)
            {
                long bytes = (long)t.Count * t.DType.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", t.DType == DType.Float32 ? "F32" : "F64");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        int padded = (int)((headerJson.Length + 7) / 8 * 8);
        var header = new byte[padded];
        header.AsSpan().Fill((byte)' ');
        headerJson.ToArray().CopyTo(header, 0);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, t) in list)
            {
                if (t.DType == DType.Float32) stream.Write(MemoryMarshal.AsBytes(t.AsSpan<float>()));
                else stream.Write(MemoryMarshal.AsBytes(t.AsSpan<double>()));
            }
        });
    }

    /// <summary>Reads every tensor and the metadata from <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is not valid safetensors (the message says why).</exception>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new DataFormatException($"{path}: not a safetensors file (shorter than its 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
            throw new DataFormatException($"{path}: not a safetensors file (header length {headerLength} exceeds the file's {bytes.Length} bytes)");
        var dataStart = 8 + (int)headerLength;
        var data = bytes.AsSpan(dataStart);
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException($"{path}: safetensors header is not a JSON object");
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }

                tensors[entry.Name] = ReadTensor(path, entry, data);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new DataFormatException($"{path}: malformed safetensors header ({e.Message})", e);
        }

        return (tensors, metadata);
    }

    private static Tensor ReadTensor(string path, JsonProperty entry, ReadOnlySpan<byte> data)
    {
        var dtypeName = entry.Value.GetProperty("dtype").GetString();
        var dtype = dtypeName switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            _ => throw new DataFormatException($"{path}: tensor '{entry.Name}' has dtype '{dtypeName}', which Nabla does not read (F32, F64)"),
        };
        var dims = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw new DataFormatException($"{path}: tensor '{entry.Name}' has invalid dimension {d}");
            count *= d;
            if (count > int.MaxValue) throw new DataFormatException($"{path}: tensor '{entry.Name}' claims more than {int.MaxValue} elements");
        }

        var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > data.Length)
            throw new DataFormatException($"{path}: tensor '{entry.Name}' has data offsets [{string.Join(", ", offsets)}] outside the {data.Length} data bytes");
        long expected = count * dtype.ElementSize();
        if (offsets[1] - offsets[0] != expected)
            throw new DataFormatException($"{path}: tensor '{entry.Name}' of shape ({string.Join(", ", dims)}) needs {expected} bytes, its offsets span {offsets[1] - offsets[0]}");
        var raw = data.Slice((int)offsets[0], (int)expected);
        var shape = new Shape(dims.Select(d => (int)d).ToArray());
        var t = Tensor.Zeros(shape, dtype);
        raw.CopyTo(dtype == DType.Float32 ? MemoryMarshal.AsBytes(t.AsSpan<float>()) : MemoryMarshal.AsBytes(t.AsSpan<double>()));
        return t;
    }
}
