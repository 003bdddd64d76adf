using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Serialization;

/// <summary>Reads and writes the safetensors format (Hugging Face's, as PyTorch, JAX and others use it).</summary>
/// <remarks>
/// <para>A file is: 8 bytes, the header size N as a little-endian unsigned 64-bit integer; N bytes of header, a UTF-8
/// JSON object that starts with <c>{</c> and may be padded at the end with spaces (0x20); then the data buffer, every
/// tensor's elements in row-major order, little-endian. The header maps each tensor name to exactly
/// <c>{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}</c>, with the offsets in bytes relative to the
/// start of the data buffer (end exclusive); the optional key <c>__metadata__</c> maps strings to strings.</para>
/// <para>Reading checks everything before it allocates a tensor, and reports any violation as a
/// <see cref="DataFormatException"/> naming the file and the problem: a header size past the file or above
/// <see cref="MaxHeaderBytes"/>, a header that is not UTF-8, does not start with <c>{</c> or is not a JSON object, a key
/// that appears twice, metadata that is not a map of strings, a tensor entry with missing or extra fields, an unknown
/// dtype, a negative or non-integer dimension, more elements than a Nabla tensor holds (2³¹ − 1), offsets that do not
/// span exactly the bytes the dtype and shape need, and a data buffer that the tensors do not cover exactly (sorted by
/// offset, the first must begin at 0, each must begin where the previous ended, the last must end at the end of the
/// file: no overlaps, no holes, no trailing bytes). Shapes may be empty (a scalar of one element) or contain 0 (no
/// elements, no bytes).</para>
/// <para>Dtypes: F32 and F64 are read as Float32 and Float64 tensors. F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8
/// and BOOL are converted to Float32 (integers beyond 2²⁴ round to the nearest float; BOOL is 0 or 1). The 8-, 6- and
/// 4-bit float types and C64 are refused with a <see cref="DataFormatException"/> naming the tensor and the dtype.</para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header read or written, in bytes: 100 MB, the limit of the reference implementation.</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>The header key that holds the string-to-string metadata rather than a tensor.</summary>
    public const string MetadataKey = "__metadata__";

    // Elements per read or write call, so that no byte span exceeds int.MaxValue whatever the tensor's size.
    private const int ChunkElements = 1 << 24;

    /// <summary>Writes the tensors and string metadata to <paramref name="path"/>, atomically (a temporary file renamed
    /// over the path).</summary>
    /// <remarks>Tensors with 8-byte elements are laid out first, then those with 4-byte elements, each group in the given
    /// order; the header is padded with spaces to a multiple of 8 bytes. So the data buffer starts at a file offset that
    /// is a multiple of 8, and every tensor at a multiple of its element size, as memory-mapping readers want. Empty
    /// metadata is left out of the header. Float32 tensors are written as F32, Float64 ones as F64.</remarks>
    /// <exception cref="ArgumentException">A name appears twice, is <see cref="MetadataKey"/>, or a tensor is null; or the
    /// header would exceed <see cref="MaxHeaderBytes"/>.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (header, ordered) = Prepare(tensors, metadata);   // every check before the file is touched
        AtomicFile.Write(path, stream => WriteTo(stream, header, ordered));
    }

    /// <summary>The same bytes as <see cref="Write(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>,
    /// into <paramref name="stream"/> (not atomic: the caller owns the stream).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (header, ordered) = Prepare(tensors, metadata);
        WriteTo(stream, header, ordered);
    }

    /// <summary>The checked tensors in file order (8-byte elements first; OrderByDescending is stable, so within one
    /// element size the caller's order stays) and the padded header.</summary>
    private static (byte[] Header, List<KeyValuePair<string, Tensor>> Ordered) Prepare(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian machine");
        var list = tensors.ToList();
        Validate(list);
        var ordered = list.OrderByDescending(p => p.Value.DType.ElementSize()).ToList();
        return (Header(ordered, metadata), ordered);
    }

    private static void Validate(List<KeyValuePair<string, Tensor>> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException("a tensor name is null", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"tensor '{name}' is null", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' names the metadata and cannot name a tensor", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"tensor name '{name}' appears twice", nameof(tensors));
        }
    }

    private static void WriteTo(Stream stream, byte[] header, List<KeyValuePair<string, Tensor>> ordered)
    {
        Span<byte> size = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
        stream.Write(size);
        stream.Write(header);
        foreach (var (_, t) in ordered)
        {
            if (t.DType == DType.Float32) WriteChunks<float>(stream, t.AsSpan<float>());
            else WriteChunks<double>(stream, t.AsSpan<double>());
        }
    }

    private static byte[] Header(List<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (key is null || value is null) throw new ArgumentException("metadata keys and values must not be null", nameof(metadata));
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, t) in tensors)
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

        long padded = (buffer.Length + 7) / 8 * 8;
        if (padded > MaxHeaderBytes) throw new ArgumentException($"the safetensors header would take {padded} bytes, more than the format's limit of {MaxHeaderBytes}");
        var header = new byte[padded];
        header.AsSpan().Fill((byte)' ');
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).CopyTo(header);
        return header;
    }

    private static void WriteChunks<T>(Stream stream, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        for (int i = 0; i < values.Length; i += ChunkElements)
            stream.Write(MemoryMarshal.AsBytes(values.Slice(i, Math.Min(ChunkElements, values.Length - i))));
    }

    /// <summary>Reads every tensor and the metadata from <paramref name="path"/>; both dictionaries keep the header's order.</summary>
    /// <returns>The tensors by name (Float32, or Float64 for F64 tensors) and the metadata (empty if the file has
    /// none).</returns>
    /// <exception cref="DataFormatException">The file is not valid safetensors, or holds a dtype Nabla does not read
    /// (the message names the file and the problem).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(path, RandomAccess.GetLength(file), (destination, offset) => RandomAccess.Read(file, destination, offset));
    }

    /// <summary>Reads every tensor and the metadata from safetensors bytes held in memory, as <see cref="Read(string)"/>
    /// reads a file; <paramref name="name"/> stands for the file in error messages.</summary>
    /// <exception cref="DataFormatException">The bytes are not valid safetensors, or hold a dtype Nabla does not read.</exception>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(ReadOnlyMemory<byte> content, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read(name, content.Length, (destination, offset) =>
        {
            if (offset >= content.Length) return 0;
            var source = content.Span[(int)offset..];
            int n = Math.Min(source.Length, destination.Length);
            source[..n].CopyTo(destination);
            return n;
        });
    }

    /// <summary>Reads only the metadata of the file at <paramref name="path"/>: its header is read and checked, its
    /// tensors' data is not (a cheap look at many files).</summary>
    /// <exception cref="DataFormatException">The header is not valid safetensors.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        var header = ReadHeader(path, (destination, offset) => RandomAccess.Read(file, destination, offset), length);
        return ParseHeader(path, header, length - 8 - header.Length).Metadata;
    }

    /// <summary>Reads up to destination.Length bytes at <paramref name="offset"/>; 0 at the end.</summary>
    private delegate int ReadAt(Span<byte> destination, long offset);

    private static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path, long fileLength, ReadAt file)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian machine");
        var header = ReadHeader(path, file, fileLength);
        long dataStart = 8 + header.Length;
        long dataLength = fileLength - dataStart;
        var (entries, metadata) = ParseHeader(path, header, dataLength);
        CheckCoverage(path, entries, dataLength);
        var tensors = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries) tensors.Add(entry.Name, ReadTensor(path, file, dataStart, entry));
        return (tensors, metadata);
    }

    private readonly record struct Entry(string Name, SafeTensorsDType DType, int[] Shape, long Begin, long End);

    private static DataFormatException Invalid(string path, string problem, Exception? inner = null) =>
        inner is null ? new($"{path}: invalid safetensors file: {problem}") : new($"{path}: invalid safetensors file: {problem}", inner);

    private static byte[] ReadHeader(string path, ReadAt file, long fileLength)
    {
        if (fileLength < 8) throw Invalid(path, $"the file has {fileLength} bytes, fewer than the 8 of the header size");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(path, file, prefix, 0);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (size == 0) throw Invalid(path, "the header size is 0 (the header must be a JSON object)");
        if (size > (ulong)(fileLength - 8))
            throw Invalid(path, $"the header length {size} runs past the end of the file ({fileLength} bytes, of which {fileLength - 8} follow the header size)");
        if (size > MaxHeaderBytes) throw Invalid(path, $"the header length {size} exceeds the format's limit of {MaxHeaderBytes} bytes");
        var header = new byte[(int)size];
        ReadExactly(path, file, header, 8);
        return header;
    }

    private static (List<Entry> Entries, OrderedDictionary<string, string> Metadata) ParseHeader(string path, byte[] header, long dataLength)
    {
        if (header[0] != (byte)'{') throw Invalid(path, $"the header must start with '{{', not byte 0x{header[0]:X2}");
        if (!Utf8.IsValid(header)) throw Invalid(path, "the header is not valid UTF-8");
        var entries = new List<Entry>();
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(path, "the header is not a JSON object");
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!keys.Add(property.Name)) throw Invalid(path, $"the header has the key '{property.Name}' twice");
                if (property.Name == MetadataKey) ParseMetadata(path, property.Value, metadata);
                else entries.Add(ParseEntry(path, property, dataLength));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Invalid(path, $"the header is not valid JSON ({e.Message})", e);
        }

        return (entries, metadata);
    }

    private static void ParseMetadata(string path, JsonElement value, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Invalid(path, $"'{MetadataKey}' must be an object of strings, not {Describe(value)}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"'{MetadataKey}' must map strings to strings, but '{m.Name}' holds {Describe(m.Value)}");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Invalid(path, $"'{MetadataKey}' has the key '{m.Name}' twice");
        }
    }

    private static Entry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        if (property.Value.ValueKind != JsonValueKind.Object) throw Invalid(path, $"the entry of tensor '{name}' must be an object, not {Describe(property.Value)}");
        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (var field in property.Value.EnumerateObject())
        {
            JsonElement? previous = field.Name switch
            {
                "dtype" => dtypeField,
                "shape" => shapeField,
                "data_offsets" => offsetsField,
                _ => throw Invalid(path, $"tensor '{name}' has the unexpected key '{field.Name}' (an entry holds exactly dtype, shape and data_offsets)"),
            };
            if (previous is not null) throw Invalid(path, $"tensor '{name}' has the key '{field.Name}' twice");
            switch (field.Name)
            {
                case "dtype": dtypeField = field.Value; break;
                case "shape": shapeField = field.Value; break;
                default: offsetsField = field.Value; break;
            }
        }

        if (dtypeField is not { } dtypeValue) throw Invalid(path, $"tensor '{name}' has no dtype");
        if (shapeField is not { } shapeValue) throw Invalid(path, $"tensor '{name}' has no shape");
        if (offsetsField is not { } offsetsValue) throw Invalid(path, $"tensor '{name}' has no data_offsets");
        if (dtypeValue.ValueKind != JsonValueKind.String) throw Invalid(path, $"tensor '{name}' has a dtype that is not a string: {Describe(dtypeValue)}");
        string dtypeName = dtypeValue.GetString()!;
        if (!SafeTensorsDTypeExtensions.TryParse(dtypeName, out var dtype, out bool known))
        {
            throw Invalid(path, known
                ? $"tensor '{name}' has dtype '{dtypeName}', which Nabla does not read (it reads {SafeTensorsDTypeExtensions.ReadableNames})"
                : $"tensor '{name}' has the unknown dtype '{dtypeName}' (Nabla reads {SafeTensorsDTypeExtensions.ReadableNames})");
        }

        var dims = Integers(path, name, "shape", shapeValue);
        string shapeText = $"({string.Join(", ", dims)})";
        if (dims.Any(d => d > int.MaxValue)) throw Invalid(path, $"tensor '{name}' of shape {shapeText} has a dimension above {int.MaxValue}, the most a Nabla shape holds");

        // A zero anywhere makes the tensor empty, whatever the other dimensions; otherwise the product stops as soon as
        // it passes int.MaxValue, so it never overflows a long.
        long count = dims.Contains(0) ? 0 : 1;
        for (int i = 0; i < dims.Length && count > 0; i++)
        {
            count *= dims[i];
            if (count > int.MaxValue) throw Invalid(path, $"tensor '{name}' of shape {shapeText} has more than {int.MaxValue} elements, the most a Nabla tensor holds");
        }

        var offsets = Integers(path, name, "data_offsets", offsetsValue);
        if (offsets.Length != 2) throw Invalid(path, $"tensor '{name}' has {offsets.Length} data_offsets, not 2 (begin, end)");
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin) throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");
        if (end > dataLength) throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] past the end of the {dataLength}-byte data buffer");

        long bytes = count * dtype.Size();
        if (end - begin != bytes)
            throw Invalid(path, $"tensor '{name}' of dtype {dtype.Name()} and shape {shapeText} needs {bytes} bytes, but its data_offsets [{begin}, {end}] span {end - begin}");
        return new Entry(name, dtype, Array.ConvertAll(dims, d => (int)d), begin, end);
    }

    private static long[] Integers(string path, string name, string field, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) throw Invalid(path, $"tensor '{name}' has a {field} that is not an array: {Describe(value)}");
        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0)
                throw Invalid(path, $"tensor '{name}' has {field} entry {item.GetRawText()}, which is not a non-negative integer");
            result[i++] = v;
        }

        return result;
    }

    private static string Describe(JsonElement value)
    {
        string text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }

    private static void CheckCoverage(string path, List<Entry> entries, long dataLength)
    {
        long cursor = 0;
        string? previous = null;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < cursor)
                throw Invalid(path, $"tensors '{previous}' and '{e.Name}' overlap (bytes {e.Begin} to {cursor} of the data buffer)");
            if (e.Begin > cursor)
                throw Invalid(path, $"bytes {cursor} to {e.Begin} of the data buffer belong to no tensor (a hole before '{e.Name}')");
            cursor = e.End;
            previous = e.Name;
        }

        if (cursor != dataLength)
            throw Invalid(path, $"bytes {cursor} to {dataLength} at the end of the data buffer belong to no tensor");
    }

    private static Tensor ReadTensor(string path, ReadAt file, long dataStart, Entry entry)
    {
        var shape = new Shape(entry.Shape);
        long offset = dataStart + entry.Begin;
        if (entry.DType == SafeTensorsDType.F64)
        {
            var t = Tensor.Zeros(shape, DType.Float64);
            ReadChunks<double>(path, file, t.AsSpan<double>(), offset);
            return t;
        }

        var result = Tensor.Zeros(shape, DType.Float32);
        var destination = result.AsSpan<float>();
        if (entry.DType == SafeTensorsDType.F32)
        {
            ReadChunks<float>(path, file, destination, offset);
            return result;
        }

        int size = entry.DType.Size();
        const int elementsPerRead = 1 << 16;
        var buffer = ArrayPool<byte>.Shared.Rent(elementsPerRead * 8);
        try
        {
            for (int i = 0; i < destination.Length; i += elementsPerRead)
            {
                int n = Math.Min(elementsPerRead, destination.Length - i);
                var bytes = buffer.AsSpan(0, n * size);
                ReadExactly(path, file, bytes, offset + ((long)i * size));
                entry.DType.ConvertToFloat(bytes, destination.Slice(i, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return result;
    }

    private static void ReadChunks<T>(string path, ReadAt file, Span<T> destination, long offset)
        where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        for (int i = 0; i < destination.Length; i += ChunkElements)
        {
            var chunk = destination.Slice(i, Math.Min(ChunkElements, destination.Length - i));
            ReadExactly(path, file, MemoryMarshal.AsBytes(chunk), offset + ((long)i * size));
        }
    }

    private static void ReadExactly(string path, ReadAt file, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = file(destination, offset);
            if (read == 0) throw Invalid(path, "the file ended early (was it changed while being read?)");
            destination = destination[read..];
            offset += read;
        }
    }
}
