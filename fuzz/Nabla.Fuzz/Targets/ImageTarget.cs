using System.Buffers.Binary;
using Nabla.Fuzz.Engine;
using Nabla.Pictures;
using SkiaSharp;

namespace Nabla.Fuzz.Targets;

/// <summary>Image files (<see cref="ImageInput.Read(ReadOnlyMemory{byte}, string, int, int, int, ImageBackground)"/>,
/// decoded by SkiaSharp): PNG (grey, RGB, RGBA), JPEG, WebP (lossy and lossless), BMP and GIF seeds, read as 1×8×8
/// or 3×8×8 inputs (by the input's length, odd or even).</summary>
internal sealed class ImageTarget : FuzzTarget
{
    public override string Name => "image";

    public override string Description => "ImageInput.Read of PNG, JPEG, WebP, BMP and GIF bytes (SkiaSharp)";

    public override string FileName => "fuzz.img";

    public override IReadOnlyList<byte[]> Dictionary { get; } =
    [
        .. Words.Of("IHDR", "IDAT", "IEND", "PLTE", "tRNS", "gAMA", "acTL", "fcTL", "RIFF", "WEBP", "VP8 ", "VP8L", "VP8X", "GIF89a", "BM", "NETSCAPE2.0"),
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [0xFF, 0xD8, 0xFF], [0xFF, 0xC0], [0xFF, 0xC2], [0xFF, 0xC4], [0xFF, 0xDB], [0xFF, 0xDA], [0xFF, 0xD9], [0xFF, 0xE1],
        [0x21, 0xF9, 0x04], [0x2C, 0, 0, 0, 0], [0x3B],
    ];

    public override IReadOnlyList<byte[]> Seeds() =>
    [
        Encode(Picture(8, 8, SKColorType.Gray8), SKEncodedImageFormat.Png),
        Encode(Picture(12, 10, SKColorType.Rgba8888), SKEncodedImageFormat.Png),
        Encode(Picture(16, 16, SKColorType.Rgba8888, opaque: true), SKEncodedImageFormat.Png),
        Encode(Picture(16, 16, SKColorType.Rgba8888, opaque: true), SKEncodedImageFormat.Jpeg, 90),
        Encode(Picture(9, 7, SKColorType.Gray8), SKEncodedImageFormat.Jpeg, 50),
        Encode(Picture(8, 8, SKColorType.Rgba8888), SKEncodedImageFormat.Webp, 100),
        Encode(Picture(8, 8, SKColorType.Rgba8888, opaque: true), SKEncodedImageFormat.Webp, 60),
        Bmp(5, 3),
        Gif(4, 4),
    ];

    /// <summary>Skia checks PNG chunk CRCs, so a mutant of a PNG gets its CRCs recomputed (nine times in ten) to reach
    /// past the chunk reader into the header checks and the zlib data.</summary>
    public override byte[] Mutate(byte[] parent, Mutator mutator)
    {
        var mutant = mutator.Mutate(parent, Style, Dictionary);
        if (mutator.Random.Next(10) != 0) FixPngCrcs(mutant);
        return mutant;
    }

    private static void FixPngCrcs(byte[] png)
    {
        if (png.Length < 8 || BinaryPrimitives.ReadUInt64BigEndian(png) != 0x89504E470D0A1A0A) return;
        for (int at = 8; at + 12 <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > png.Length - at - 12) return;
            int end = at + 8 + (int)length;
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(end), Crc32(png.AsSpan(at + 4, 4 + (int)length)));
            at = end + 4;
        }
    }

    private static readonly uint[] CrcTable = [.. Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    })];

    /// <summary>CRC-32 as PNG computes it (polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    public override void Run(byte[] input)
    {
        int channels = input.Length % 2 == 0 ? 1 : 3;
        var values = ImageInput.Read(input, FileName, channels, 8, 8);
        if (values.Length != channels * 64 || values.Any(v => !(v >= 0 && v <= 1)))
            throw new InvariantException($"{values.Length} values, outside [0, 1]: {values.FirstOrDefault(v => !(v >= 0 && v <= 1))}");
    }

    private static SKBitmap Picture(int width, int height, SKColorType type, bool opaque = false)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, type, type == SKColorType.Gray8 || opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) * 16), (byte)(opaque ? 255 : 64 + (x * 191 / width))));
        }

        return bitmap;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using (bitmap)
        {
            using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
            return data.ToArray();
        }
    }

    /// <summary>A 24-bit bottom-up BMP.</summary>
    private static byte[] Bmp(int width, int height)
    {
        int row = (3 * width + 3) / 4 * 4;
        var bytes = new byte[54 + (row * height)];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), row * height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = 54 + (y * row) + (3 * x);
                (bytes[at], bytes[at + 1], bytes[at + 2]) = ((byte)(40 * x), (byte)(80 * y), 200);
            }
        }

        return bytes;
    }

    /// <summary>A GIF89a with a 4-colour table, its LZW data written with a clear code before every two pixels so
    /// that every code keeps 3 bits.</summary>
    private static byte[] Gif(int width, int height)
    {
        var bytes = new List<byte>("GIF89a"u8.ToArray());
        bytes.AddRange([(byte)width, 0, (byte)height, 0, 0x91, 0, 0]);
        bytes.AddRange([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]);
        bytes.AddRange([0x2C, 0, 0, 0, 0, (byte)width, 0, (byte)height, 0, 0, 2]);
        const int clear = 4, end = 5;
        var codes = new List<int>();
        for (int p = 0; p < width * height; p++)
        {
            if (p % 2 == 0) codes.Add(clear);
            codes.Add((p + (p / width)) % 4);
        }

        codes.Add(end);
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (int code in codes)
        {
            buffer |= code << bits;
            bits += 3;
            while (bits >= 8)
            {
                packed.Add((byte)buffer);
                buffer >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0) packed.Add((byte)buffer);
        for (int i = 0; i < packed.Count; i += 255)
        {
            int n = Math.Min(255, packed.Count - i);
            bytes.Add((byte)n);
            bytes.AddRange(packed.GetRange(i, n));
        }

        bytes.AddRange([0, 0x3B]);
        return [.. bytes];
    }
}
