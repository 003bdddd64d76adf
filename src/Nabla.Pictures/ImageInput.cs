using Nabla.Data;
using SkiaSharp;

namespace Nabla.Pictures;

/// <summary>Image files (PNG, JPEG, and the other formats Skia decodes) as network inputs: decoded, converted to grey
/// or RGB, resized to the model's example shape, and scaled to [0, 1] as the datasets are. The file is untrusted: its
/// claimed size is checked before any pixel is decoded.</summary>
public static class ImageInput
{
    /// <summary>The largest image decoded, in pixels (a 64-megapixel photo); a larger claim is refused before decoding.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>Reads <paramref name="path"/> as a (channels × height × width) row of values in [0, 1], channel-major;
    /// one channel is the mean of red, green and blue. Transparent pixels blend onto black, the datasets' background.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="height">Rows after resizing.</param>
    /// <param name="width">Columns after resizing.</param>
    /// <param name="background">The image's background: the datasets draw light on dark, so a light background is
    /// inverted (1 − value); <see cref="ImageBackground.Auto"/> decides from the border of the resized image.</param>
    /// <exception cref="DataFormatException">The file is not an image Skia can decode, or it is larger than <see cref="MaxPixels"/>.</exception>
    public static float[] Read(string path, int channels, int height, int width, ImageBackground background = ImageBackground.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (grey) or 3 (RGB) channels");
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);

        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream) ?? throw new DataFormatException($"{path}: not an image (PNG, JPEG, GIF, BMP or WebP)");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
            throw new DataFormatException($"{path}: image claims {info.Width}×{info.Height} pixels (at most {MaxPixels} are read)");
        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var status = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (status is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new DataFormatException($"{path}: the image could not be decoded ({status})");
        using var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new DataFormatException($"{path}: the image could not be resized to {width}×{height}");

        var bytes = resized.GetPixelSpan();
        var values = new float[channels * height * width];
        for (int p = 0; p < height * width; p++)
        {
            // Alpha blends onto black, the background of the digits and Fashion-MNIST.
            float alpha = bytes[4 * p + 3] / 255f;
            for (int c = 0; c < channels; c++)
            {
                float value = channels == 1
                    ? (bytes[4 * p] + bytes[4 * p + 1] + bytes[4 * p + 2]) / (3 * 255f)
                    : bytes[4 * p + c] / 255f;
                values[c * height * width + p] = value * alpha;
            }
        }

        bool invert = background == ImageBackground.Light || (background == ImageBackground.Auto && BorderMean(values, height, width) > 0.5);
        if (invert)
        {
            for (int i = 0; i < values.Length; i++) values[i] = 1 - values[i];
        }

        return values;
    }

    /// <summary>The mean of the outermost pixels over all channels: the background's brightness.</summary>
    private static double BorderMean(float[] values, int height, int width)
    {
        double sum = 0;
        int count = 0;
        int plane = height * width;
        for (int offset = 0; offset < values.Length; offset += plane)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    if (y != 0 && y != height - 1 && x != 0 && x != width - 1) continue;
                    sum += values[offset + y * width + x];
                    count++;
                }
            }
        }

        return sum / count;
    }
}
