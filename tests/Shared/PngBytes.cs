using System.Buffers.Binary;
using System.Text;

namespace Nabla.Testing;

/// <summary>Hand-made damage to PNG files: chunks built with correct CRCs, inserted or replaced, so that a test can make
/// exactly one thing wrong (garbage pixel data, a bad CRC, a cut) in an otherwise valid file; shared by both test
/// projects.</summary>
internal static class PngBytes
{
    /// <summary>A chunk: big-endian length, type, data and the CRC of type and data (flipped when <paramref name="badCrc"/>).</summary>
    public static byte[] Chunk(string type, ReadOnlySpan<byte> data, bool badCrc = false)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        uint crc = Crc32(chunk.AsSpan(4, 4 + data.Length)) ^ (badCrc ? 1u : 0u);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), crc);
        return chunk;
    }

    /// <summary><paramref name="png"/> with <paramref name="chunk"/> inserted right after IHDR (signature 8 bytes, IHDR 25).</summary>
    public static byte[] InsertAfterHeader(byte[] png, byte[] chunk) => [.. png.AsSpan(0, 33), .. chunk, .. png.AsSpan(33)];

    /// <summary><paramref name="png"/> with its IDAT chunks merged into one whose data is <paramref name="change"/> of
    /// theirs, with a correct CRC unless <paramref name="badCrc"/>.</summary>
    public static byte[] ReplaceImageData(byte[] png, Func<byte[], byte[]> change, bool badCrc = false)
    {
        var before = new List<byte>(png.AsSpan(0, 8).ToArray());
        var after = new List<byte>();
        var data = new List<byte>();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var whole = png.AsSpan(at, 12 + length);
            if (type == "IDAT") data.AddRange(png.AsSpan(at + 8, length).ToArray());
            else (data.Count == 0 ? before : after).AddRange(whole.ToArray());
            at += 12 + length;
        }

        return [.. before, .. Chunk("IDAT", change([.. data]), badCrc), .. after];
    }

    /// <summary>The CRC-32 of PNG chunks (polynomial 0xEDB88320, bit by bit).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }

        return ~crc;
    }
}
