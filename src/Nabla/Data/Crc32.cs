namespace Nabla.Data;

/// <summary>CRC-32 as gzip and PNG store it (ISO 3309, reflected polynomial 0xEDB88320): to check a gzip file's trailer
/// against the bytes really decompressed (.NET checks it too, but reports a mismatch as an unsupported compression
/// method, and says nothing of bytes that follow the trailer), and each PNG chunk's type and data.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>The CRC of <paramref name="bytes"/> continued from <paramref name="crc"/> (start with 0).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        crc = ~crc;
        foreach (byte b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }

        return table;
    }
}
