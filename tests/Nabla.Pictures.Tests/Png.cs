using SkiaSharp;

namespace Nabla.Pictures.Tests;

/// <summary>Checks that a file is a PNG that decodes, and gives its size.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static (int Width, int Height) Decode(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan().StartsWith(Signature), $"{path} does not start with the PNG signature");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>The number of distinct colours in the picture: a blank picture has one.</summary>
    public static int DistinctColors(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        return bitmap.Pixels.Distinct().Count();
    }
}
