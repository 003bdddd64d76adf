using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>The contents of an IDX file (the MNIST family's format): dimensions and unsigned-byte values.</summary>
/// <param name="Dimensions">The sizes, outermost first: (N) for labels, (N, rows, cols) for images.</param>
/// <param name="Values">The elements in row-major order.</param>
/// <remarks>The file is untrusted: the element count the header claims is checked against what an array holds and,
/// where the length is known, against the bytes that follow, before anything is allocated; decompression stops one
/// byte past the count the header claims. What the header claims is also held against a memory budget (by default
/// the memory this process can still use, see <see cref="AvailableMemory"/>) before a value is decoded, so that a gzip
/// file that really holds gigabytes of zeros is refused in one line instead of exhausting the machine. A gzip file is a
/// single member that ends the file: its CRC-32 and length are checked, and bytes after it are refused.</remarks>
public sealed record IdxFile(int[] Dimensions, byte[] Values)
{
    private const int UnsignedByteType = 0x08;

    /// <summary>The most bytes deflate can expand one compressed byte to (a 258-byte match coded in 2 bits): a gzip
    /// file of L bytes cannot hold more than about 1032·L values, so a header claiming more is refused at once.</summary>
    private const long MaxDeflateRatio = 1032;

    private const int GzipHeaderBytes = 10;
    private const int GzipTrailerBytes = 8;
    private const byte DeflateMethod = 8;

    /// <summary>Reads a plain or gzip-compressed (by the .gz extension) IDX file of unsigned bytes.</summary>
    /// <remarks>Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then each
    /// dimension as a big-endian 32-bit integer, then the values.</remarks>
    /// <exception cref="DataFormatException">The magic number is wrong, a dimension is invalid, the header claims more
    /// values than the file can hold, or the file is truncated, too long, or not valid gzip (the message names the file).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxFile Read(string path) => Read(path, AvailableMemory.Query().Bytes);

    /// <summary>Reads a plain or gzip-compressed (by the .gz extension) IDX file of unsigned bytes, refusing, from its
    /// header and before decoding any value, one that claims more than <paramref name="memoryBudget"/> bytes of values.</summary>
    /// <param name="path">The file.</param>
    /// <param name="memoryBudget">The most bytes of values the file may claim (one byte per value).</param>
    /// <exception cref="DataFormatException">As for <see cref="Read(string)"/>, or the header claims more values than
    /// the budget allows (the message names the file, the claimed size and the budget).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxFile Read(string path, long memoryBudget)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryBudget);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var file = File.OpenRead(path);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return ReadContent(file, path, file.Length, maxCount: null, memoryBudget);
        return ReadGzip(file, file.Length, path, memoryBudget);
    }

    /// <summary>Reads IDX content (not compressed) from a stream; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="DataFormatException">The content is not a valid IDX file (see <see cref="Read(string)"/>).</exception>
    public static IdxFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;
        return ReadContent(stream, name, remaining, maxCount: null, AvailableMemory.Query().Bytes);
    }

    /// <summary>Reads IDX content held in memory, gzip-compressed when <paramref name="gzip"/> is set;
    /// <paramref name="name"/> is used in error messages; <paramref name="memoryBudget"/> (default: the memory
    /// available) bounds the bytes of values the header may claim.</summary>
    /// <exception cref="DataFormatException">The content is not a valid IDX file or not valid gzip, or claims more than
    /// the budget (see <see cref="Read(string, long)"/>).</exception>
    public static IdxFile Read(ReadOnlyMemory<byte> content, string name, bool gzip = false, long? memoryBudget = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        long budget = memoryBudget ?? AvailableMemory.Query().Bytes;
        using var stream = InMemory.Open(content);
        return gzip ? ReadGzip(stream, content.Length, name, budget) : ReadContent(stream, name, content.Length, maxCount: null, budget);
    }

    private static IdxFile ReadGzip(Stream compressed, long compressedLength, string name, long memoryBudget)
    {
        // .NET reads the header itself, but names every fault "an unsupported compression method": the two header
        // faults are named here, so that its exception can only mean corrupt data.
        Span<byte> header = stackalloc byte[GzipHeaderBytes];
        long start = compressed.Position;
        if (ReadFully(compressed, header) < GzipHeaderBytes || header[0] != 0x1f || header[1] != 0x8b)
            throw new DataFormatException($"{name}: not a gzip file (no 1f 8b signature at its start)");
        if (header[2] != DeflateMethod)
            throw new DataFormatException($"{name}: gzip compression method {header[2]} is not supported (only deflate, 8)");
        compressed.Position = start;

        using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        using var stream = new ChecksummedStream(gzip);
        IdxFile idx;
        try
        {
            idx = ReadContent(stream, name, remaining: null, maxCount: (compressedLength * MaxDeflateRatio) + 1024, memoryBudget);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{name}: corrupt gzip file (its deflate data is invalid or its CRC-32 check failed)", e);
        }

        // The file's last 8 bytes are the trailer of the member just read, unless something follows it.
        Span<byte> trailer = stackalloc byte[GzipTrailerBytes];
        compressed.Position = start + compressedLength - GzipTrailerBytes;
        if (ReadFully(compressed, trailer) < GzipTrailerBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != stream.Crc
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) != (uint)stream.BytesRead)
            throw new DataFormatException($"{name}: bytes follow the end of the gzip data (a .gz IDX file holds one gzip member and nothing after it)");
        return idx;
    }

    // remaining: the bytes left in the stream, when known; maxCount: the most values it can hold, when bounded (gzip);
    // memoryBudget: the most bytes of values the caller can hold.
    private static IdxFile ReadContent(Stream stream, string name, long? remaining, long? maxCount, long memoryBudget)
    {
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, magic) < 4) throw new DataFormatException($"{name}: truncated IDX file (no 4-byte magic number)");
        if (magic[0] != 0 || magic[1] != 0 || magic[3] is 0 or > 4)
            throw new DataFormatException($"{name}: wrong magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8} (not an IDX file)");
        if (magic[2] != UnsignedByteType)
            throw new DataFormatException($"{name}: IDX element type 0x{magic[2]:X2} is not supported (only unsigned bytes, 0x08)");

        int rank = magic[3];
        var dims = new int[rank];
        Span<byte> dimBytes = stackalloc byte[4];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            if (ReadFully(stream, dimBytes) < 4) throw new DataFormatException($"{name}: truncated IDX header (dimension {i} missing)");
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes);
            if (d > int.MaxValue) throw new DataFormatException($"{name}: IDX dimension {i} is {d}, too large");
            dims[i] = (int)d;

            // count ≤ Array.MaxLength < 2³¹ before the product, d < 2³¹: the product fits a long.
            count *= d;
            if (count > Array.MaxLength) throw new DataFormatException($"{name}: IDX header claims {count}+ elements, more than an array can hold");
        }

        string shape = string.Join(" x ", dims);
        long afterHeader = remaining is { } r ? r - 4 - (4L * rank) : long.MaxValue;
        if (count > afterHeader)
            throw new DataFormatException($"{name}: truncated IDX file: header ({shape}) needs {count} values, found {afterHeader}");
        if (count > maxCount)
            throw new DataFormatException($"{name}: IDX header ({shape}) claims {count} values, more than a {(maxCount - 1024) / MaxDeflateRatio}-byte gzip file can hold");

        // Checked from the header alone, before a value is decoded or widened.
        if (count > memoryBudget)
            throw new DataFormatException($"{name}: IDX header ({shape}) claims {count} values ({AvailableMemory.Format(count)}), more than the memory budget of {AvailableMemory.Format(memoryBudget)} for this file");

        // The claim is within the budget now, so the array is allocated at once: an honest file costs one copy of its
        // values (growing a buffer cost up to twice that), and a header that lies about a gzip stream costs at most the
        // budget it was checked against.
        var values = ReadExact(stream, (int)count);
        if (values.Length < count)
            throw new DataFormatException($"{name}: truncated IDX file: header ({shape}) needs {count} values, found {values.Length}");
        if (stream.ReadByte() != -1)
            throw new DataFormatException($"{name}: IDX file is longer than its header ({shape}) says");
        return new IdxFile(dims, values);
    }

    private static byte[] ReadExact(Stream stream, int count)
    {
        var values = new byte[count];
        int read = ReadFully(stream, values);
        return read == count ? values : values[..read];
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }

        return total;
    }
}
