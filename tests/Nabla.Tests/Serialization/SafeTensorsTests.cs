using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Nabla.Data;
using Nabla.Serialization;
using Nabla.Tensors;

namespace Nabla.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Tensors_round_trip_with_their_names_shapes_dtypes_and_metadata()
    {
        var a = Tensor.Normal([3, 4], 0, 1, new Random(1));
        var b = Tensor.Normal([5], 0, 1, new Random(2), DType.Float64);
        var path = _files.PathOf("w.safetensors");
        SafeTensors.Write(path, [new("a.weight", a), new("b", b)], new Dictionary<string, string> { ["format"] = "pt" });
        var (tensors, metadata) = SafeTensors.Read(path);
        Assert.Equal(a.ToFloatArray(), tensors["a.weight"].ToFloatArray());
        Assert.Equal(new Shape(3, 4), tensors["a.weight"].Shape);
        Assert.Equal(DType.Float64, tensors["b"].DType);
        Assert.Equal(b.ToDoubleArray(), tensors["b"].ToDoubleArray());
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void Scalars_and_empty_tensors_round_trip()
    {
        var path = _files.PathOf("edge.safetensors");
        SafeTensors.Write(path, [new("empty", Tensor.Zeros([0, 3])), new("scalar", Tensor.FromArray([2.5], Shape.Scalar)), new("none", Tensor.Zeros([0], DType.Float64))]);
        var (tensors, _) = SafeTensors.Read(path);
        Assert.Equal(new Shape(0, 3), tensors["empty"].Shape);
        Assert.Equal(Shape.Scalar, tensors["scalar"].Shape);
        Assert.Equal(2.5, tensors["scalar"].Item());
        Assert.Equal(0, tensors["none"].Count);
    }

    [Fact]
    public void The_file_follows_the_format_byte_for_byte()
    {
        var path = _files.PathOf("x.safetensors");
        SafeTensors.Write(path, [new("x", Tensor.FromArray([1f, 2f], [2]))]);
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(8 + (long)n + 8, bytes.Length);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd());
        var x = header.RootElement.GetProperty("x");
        Assert.Equal("F32", x.GetProperty("dtype").GetString());
        Assert.Equal([2], x.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 8], x.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 8 + (int)n + 4));
    }

    [Fact]
    public void The_writer_pads_the_header_with_spaces_to_8_bytes_and_lays_tensors_out_contiguously_and_aligned()
    {
        var path = _files.PathOf("layout.safetensors");
        // An odd number of float32 values first, then float64s: the float64s are moved to the front to stay aligned.
        SafeTensors.Write(path, [new("odd", Tensor.Zeros([3])), new("wide", Tensor.Zeros([2], DType.Float64)), new("next", Tensor.Zeros([1, 5])), new("w2", Tensor.Zeros([1], DType.Float64))], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        string text = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", text, StringComparison.Ordinal);
        int jsonEnd = text.LastIndexOf('}') + 1;
        Assert.True(n - jsonEnd < 8);
        Assert.All(text[jsonEnd..], c => Assert.Equal(' ', c));
        using var header = JsonDocument.Parse(text);
        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != SafeTensors.MetadataKey)
            .Select(p => (p.Name, Size: p.Value.GetProperty("dtype").GetString() == "F64" ? 8 : 4, Offsets: p.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray()))
            .ToList();
        Assert.Equal(["wide", "w2", "odd", "next"], entries.Select(e => e.Name));
        long cursor = 0;
        foreach (var (_, size, offsets) in entries)
        {
            Assert.Equal(cursor, offsets[0]);
            Assert.Equal(0, offsets[0] % size);
            cursor = offsets[1];
        }

        Assert.Equal(bytes.Length - 8 - n, cursor);
        Assert.Equal("v", header.RootElement.GetProperty(SafeTensors.MetadataKey).GetProperty("k").GetString());
    }

    [Fact]
    public void The_writer_refuses_duplicate_or_reserved_names_and_leaves_the_existing_file_alone()
    {
        var path = _files.PathOf("keep.safetensors");
        SafeTensors.Write(path, [new("a", Tensor.Zeros([1]))]);
        var before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new("a", Tensor.Zeros([1])), new("a", Tensor.Zeros([2]))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new(SafeTensors.MetadataKey, Tensor.Zeros([1]))]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_files.Root));
    }

    [Fact]
    public void A_minimal_file_padded_with_spaces_and_zero_sized_tensors_sharing_an_offset_are_valid()
    {
        var (none, metadata) = SafeTensors.Read(_files.Write("empty.safetensors", Framed("{}      ")));
        Assert.Empty(none);
        Assert.Empty(metadata);

        var data = BitConverter.GetBytes(1.5f);
        var bytes = Framed("""{"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"f":{"dtype":"F64","shape":[3,0],"data_offsets":[0,0]}}  """, data);
        var (tensors, _) = SafeTensors.Read(_files.Write("zero.safetensors", bytes));
        Assert.Equal(1.5, tensors["s"].Item());
        Assert.Equal(new Shape(3, 0), tensors["f"].Shape);
        Assert.Equal(new Shape(0, 5), tensors["e"].Shape);
    }

    private const string A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    [Theory]
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap")]
    [InlineData("{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16, "bytes 8 to 12 of the data buffer belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "bytes 0 to 4 of the data buffer belong to no tensor")]
    [InlineData("{" + A8 + "}", 12, "bytes 8 to 12 at the end of the data buffer belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "past the end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8, "end before they begin")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", 8, "not 2")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{}}}", 8, "not an array")]
    [InlineData("[{\"a\":1}]", 0, "must start with '{'")]
    [InlineData(" {}", 0, "must start with '{'")]
    [InlineData("{not json", 0, "not valid JSON")]
    [InlineData("{} x", 0, "not valid JSON")]
    [InlineData("{}\0\0\0\0", 0, "not valid JSON")]
    [InlineData("{" + A8 + "," + A8 + "}", 8, "the key 'a' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "the key 'dtype' twice")]
    [InlineData("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "the key 'k' twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "the key '__metadata__' twice")]
    [InlineData("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has the unknown dtype 'Q4'")]
    [InlineData("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has dtype 'F8_E4M3', which Nabla does not read")]
    [InlineData("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "not a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape entry -2, which is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8, "not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-1,8]}}", 8, "not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999999]}}", 8, "not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000],\"data_offsets\":[0,4000000000000]}}", 8, "more than 2147483647 elements")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4000000000000]}}", 8, "dimension above 2147483647")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[0,1000000000000],\"data_offsets\":[0,0]}}", 0, "dimension above 2147483647")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8, "more than 2147483647 elements")]
    [InlineData("{\"__metadata__\":{\"format\":\"pt\",\"epoch\":3}}", 0, "'epoch' holds 3")]
    [InlineData("{\"__metadata__\":{\"nested\":{\"a\":\"b\"}}}", 0, "must map strings to strings")]
    [InlineData("{\"__metadata__\":[\"pt\"]}", 0, "must be an object of strings")]
    [InlineData("{\"__metadata__\":null}", 0, "must be an object of strings")]
    [InlineData("{\"a\":[0,8]}", 8, "the entry of tensor 'a' must be an object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a' has no data_offsets")]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"offsets\":[0,8]}}", 8, "unexpected key 'offsets'")]
    public void Every_violation_of_the_format_is_reported_naming_the_file_and_the_problem(string header, int dataBytes, string problem) =>
        AssertInvalid(Framed(header, new byte[dataBytes]), problem);

    [Fact]
    public void Sizes_and_truncations_are_reported_not_crashed_on()
    {
        AssertInvalid([1, 2, 3], "fewer than the 8");
        AssertInvalid(new byte[8], "header size is 0");
        AssertInvalid(new byte[16], "header size is 0");

        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        AssertInvalid(huge, "header length 1099511627776 runs past the end of the file");
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        AssertInvalid(huge, "runs past the end of the file");

        var path = _files.PathOf("whole.safetensors");
        SafeTensors.Write(path, [new("w", Tensor.Normal([4, 4], 0, 1, new Random(0)))]);
        var whole = File.ReadAllBytes(path);
        AssertInvalid(whole[..^4], "past the end of the 60-byte data buffer");
        AssertInvalid(whole[..^64], "past the end of the 0-byte data buffer");
        AssertInvalid(whole[..20], "runs past the end of the file");
    }

    [Fact]
    public void A_header_above_the_100_MB_limit_is_refused_before_it_is_read()
    {
        var path = _files.PathOf("big.safetensors");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            var size = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, SafeTensors.MaxHeaderBytes + 8UL);
            file.Write(size);
            file.SetLength(8 + SafeTensors.MaxHeaderBytes + 8L);
        }

        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Read(path));
        Assert.Contains("limit of 100000000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_is_not_utf8_is_reported()
    {
        var bytes = Framed("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}");
        bytes[10] = 0xFF;
        AssertInvalid(bytes, "not valid UTF-8");
    }

    private void AssertInvalid(byte[] bytes, string problem)
    {
        var path = _files.Write($"case-{Guid.NewGuid():N}.safetensors", bytes);
        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    private static byte[] Framed(string header, byte[]? data = null)
    {
        data ??= [];
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    [Fact]
    public void Bytes_in_memory_read_like_a_file_and_are_checked_the_same_way()
    {
        var path = _files.PathOf("m.safetensors");
        SafeTensors.Write(path, [new("w", Tensor.FromArray(new float[] { 1, 2, 3 }))], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        var (tensors, metadata) = SafeTensors.Read(bytes, "mem.safetensors");
        Assert.Equal([1f, 2f, 3f], tensors["w"].ToFloatArray());
        Assert.Equal("v", metadata["k"]);
        var e = Assert.Throws<DataFormatException>(() => SafeTensors.Read(bytes.AsMemory(0, bytes.Length - 1), "cut.safetensors"));
        Assert.Contains("cut.safetensors: invalid safetensors file", e.Message, StringComparison.Ordinal);
        var huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1_000_000_000_000);
        Assert.Contains("runs past the end", Assert.Throws<DataFormatException>(() => SafeTensors.Read(huge, "h.safetensors")).Message, StringComparison.Ordinal);
    }
}
