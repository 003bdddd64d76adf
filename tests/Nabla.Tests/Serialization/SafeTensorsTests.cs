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
    public void The_file_follows_the_format_byte_for_byte()
    {
        var path = _files.PathOf("x.safetensors");
        SafeTensors.Write(path, [new("x", Tensor.FromArray([1f, 2f], [2]))]);
        var bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 8, bytes.Length);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd());
        var x = header.RootElement.GetProperty("x");
        Assert.Equal("F32", x.GetProperty("dtype").GetString());
        Assert.Equal([2], x.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 8], x.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 8 + (int)n + 4));
    }

    [Fact]
    public void Malformed_files_are_reported_not_crashed_on()
    {
        var tooShort = _files.Write("short.safetensors", [1, 2, 3]);
        Assert.Contains("short.safetensors", Assert.Throws<DataFormatException>(() => SafeTensors.Read(tooShort)).Message, StringComparison.Ordinal);

        var huge = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        Assert.Contains("header length", Assert.Throws<DataFormatException>(() => SafeTensors.Read(_files.Write("huge.safetensors", huge))).Message, StringComparison.Ordinal);

        Assert.Throws<DataFormatException>(() => SafeTensors.Read(_files.Write("json.safetensors", Framed("{not json"))));
        var past = Framed("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}");
        Assert.Contains("offsets", Assert.Throws<DataFormatException>(() => SafeTensors.Read(_files.Write("past.safetensors", past))).Message, StringComparison.Ordinal);
        var dtype = Framed("{\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        Assert.Contains("I8", Assert.Throws<DataFormatException>(() => SafeTensors.Read(_files.Write("dtype.safetensors", dtype))).Message, StringComparison.Ordinal);
    }

    private static byte[] Framed(string header, int dataBytes = 0)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }
}
