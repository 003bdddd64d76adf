namespace Nabla.Pictures;

/// <summary>The CRC-32 that guards each PNG chunk (ISO 3309, polynomial 0xEDB88320, reflected), computed over the
/// chunk's type and data.</summary>
internal static class PngCrc
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="type"/> followed by <paramref name="data"/>, as the chunk stores it.</summary>
    public static uint Compute(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) => ~Update(Update(0xFFFFFFFF, type), data);

    private static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
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
