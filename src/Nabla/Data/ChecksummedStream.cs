namespace Nabla.Data;

/// <summary>A read-only stream that passes another stream's bytes through, keeping their CRC-32 and count, so that a
/// gzip file's trailer can be compared with what was really decompressed.</summary>
internal sealed class ChecksummedStream(Stream inner) : Stream
{
    /// <summary>The CRC-32 of the bytes read so far.</summary>
    public uint Crc { get; private set; }

    /// <summary>The bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Crc = Crc32.Append(Crc, buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
