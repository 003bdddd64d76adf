using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>The contents of an IDX file (the MNIST family's format): dimensions and unsigned-byte values.</summary>
/// <param name="Dimensions">The sizes, outermost first: (N) for labels, (N, rows, cols) for images.</param>
/// <param name="Values">The elements in row-major order.</param>
public sealed record IdxFile(int[] Dimensions, byte[] Values)
{
    private const int UnsignedByteType = 0x08;

    /// <summary>Reads a plain or gzip-compressed (by the .gz extension) IDX file of unsigned bytes.</summary>
    /// <remarks>Layout: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then each
    /// dimension as a big-endian 32-bit integer, then the values.</remarks>
    /// <exception cref="DataFormatException">The magic number is wrong, a dimension is invalid, or the file is truncated or too long.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not a valid gzip file ({e.Message})", e);
        }
    }

    /// <summary>Reads IDX content from a stream; <paramref name="name"/> is used in error messages.</summary>
    public static IdxFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
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
            count *= d;
            if (count > Array.MaxLength) throw new DataFormatException($"{name}: IDX header claims {count}+ elements, more than an array can hold");
        }

        var values = new byte[count];
        int read = ReadFully(stream, values);
        if (read < count)
            throw new DataFormatException($"{name}: truncated IDX file: header ({string.Join(" x ", dims)}) needs {count} values, found {read}");
        if (stream.ReadByte() != -1)
            throw new DataFormatException($"{name}: IDX file is longer than its header ({string.Join(" x ", dims)}) says");
        return new IdxFile(dims, values);
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
