using Nabla.Serialization;
using ScottPlot;

namespace Nabla.Pictures;

/// <summary>Writes pictures as PNG files atomically (a temporary file, then a rename), so a picture that exists is whole.</summary>
internal static class PngFile
{
    public static void Save(Plot plot, string path, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        Save(bytes, path);
    }

    public static void Save(byte[] png, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
