using Google.Protobuf;

namespace Nabla.Serialization.Onnx;

/// <summary>Writes one protobuf message field by field through Google.Protobuf's <see cref="CodedOutputStream"/>,
/// without generated code. A nested message is written into its own buffer first, because its length must precede it
/// on the wire; the top-level message goes straight to the output stream.</summary>
internal sealed class ProtoWriter : IDisposable
{
    private readonly MemoryStream? _buffer;
    private readonly CodedOutputStream _output;

    /// <summary>A writer to <paramref name="stream"/>, left open when the writer is disposed.</summary>
    public ProtoWriter(Stream stream) => _output = new CodedOutputStream(stream, leaveOpen: true);

    private ProtoWriter()
    {
        _buffer = new MemoryStream();
        _output = new CodedOutputStream(_buffer, leaveOpen: true);
    }

    /// <summary>A varint field (int64, int32 and enum fields share the encoding for non-negative values).</summary>
    public void Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
    }

    /// <summary>One varint per element, each with its own tag (an unpacked repeated field).</summary>
    public void Int64s(int field, IEnumerable<long> values)
    {
        foreach (long v in values) Int64(field, v);
    }

    /// <summary>A float field (fixed 32 bits, little-endian).</summary>
    public void Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
    }

    /// <summary>A string field, UTF-8.</summary>
    public void String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
    }

    /// <summary>A bytes field: its length, then the bytes.</summary>
    public void Bytes(int field, ReadOnlyMemory<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
    }

    /// <summary>A nested message: <paramref name="write"/> fills it, then it is written as a length-delimited field.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        using var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.Written());
    }

    /// <summary>Pushes buffered bytes to the underlying stream.</summary>
    public void Flush() => _output.Flush();

    private ReadOnlyMemory<byte> Written()
    {
        _output.Flush();
        return _buffer!.GetBuffer().AsMemory(0, checked((int)_buffer.Length));
    }

    public void Dispose()
    {
        _output.Dispose();
        _buffer?.Dispose();
    }
}
