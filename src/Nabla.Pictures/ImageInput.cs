using System.Globalization;
using System.Runtime.InteropServices;
using Nabla.Data;
using SkiaSharp;

namespace Nabla.Pictures;

/// <summary>Image files (PNG, JPEG, and the other formats Skia decodes) as network inputs: decoded, converted to grey
/// or RGB, resized to the model's example shape, and scaled to [0, 1] as the datasets are. The file is untrusted: its
/// length is capped (<see cref="MaxFileBytes"/>), a PNG's metadata chunks are skipped unread and its other chunks
/// checked (see <see cref="PngChunks"/>), its claimed size is checked before any pixel is decoded, and an image whose
/// pixel data is damaged or cut short is refused, never decoded as far as it goes.</summary>
public static class ImageInput
{
    /// <summary>The largest image decoded, in pixels (a 64-megapixel photo); a larger claim is refused before decoding.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>The most pixels an image may claim per byte of its file, beyond <see cref="FreePixels"/>: deflate (PNG)
    /// expands a byte at most 1032-fold and 1-bit images pack 8 pixels a byte, so no PNG, JPEG, GIF or BMP of L bytes
    /// holds more than about 8,256·L pixels. A header claiming more is refused before decoding, so that a short file
    /// cannot make the reader allocate and resample a huge canvas. (Only a uniform WebP in lossless mode can be
    /// smaller.)</summary>
    public const long MaxPixelsPerByte = 8256;

    /// <summary>The pixels any image may claim whatever its file's length (one megapixel).</summary>
    public const long FreePixels = 1L << 20;

    /// <summary>The longest image file read, in bytes (64 MiB, more than a 64-megapixel JPEG needs); a longer file is
    /// refused before any of it is read.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Reads <paramref name="path"/> as a (channels × height × width) row of values in [0, 1], channel-major;
    /// one channel is the mean of red, green and blue. Transparent pixels blend onto black, the datasets' background.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="height">Rows after resizing.</param>
    /// <param name="width">Columns after resizing.</param>
    /// <param name="background">The image's background: the datasets draw light on dark, so a light background is
    /// inverted (1 − value); <see cref="ImageBackground.Auto"/> decides from the border of the resized image.</param>
    /// <exception cref="DataFormatException">The file is longer than <see cref="MaxFileBytes"/>, not an image Skia
    /// can decode, damaged or cut short (a bad PNG chunk CRC, pixel data that does not decompress or ends early), or
    /// it claims more than <see cref="MaxPixels"/> pixels, or more than its length can hold (see
    /// <see cref="MaxPixelsPerByte"/>); the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channels are not 1 or 3, or the size is not positive or above <see cref="MaxPixels"/>.</exception>
    public static float[] Read(string path, int channels, int height, int width, ImageBackground background = ImageBackground.Auto)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckSize(channels, height, width);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        // Read here, not streamed into Skia: its managed-stream reader is what turned a large chunk into minutes.
        using var stream = File.OpenRead(path);
        return Decode(ReadBounded(stream, path), path, channels, height, width, background);
    }

    /// <summary>Reads an image held in memory, as <see cref="Read(string, int, int, int, ImageBackground)"/> reads a
    /// file; <paramref name="name"/> stands for the file in error messages.</summary>
    /// <exception cref="DataFormatException">The bytes are more than <see cref="MaxFileBytes"/>, not an image Skia can
    /// decode, damaged or cut short, or claim too many pixels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channels are not 1 or 3, or the size is not positive or above <see cref="MaxPixels"/>.</exception>
    public static float[] Read(ReadOnlyMemory<byte> content, string name, int channels, int height, int width, ImageBackground background = ImageBackground.Auto)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckSize(channels, height, width);
        using var stream = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        return Decode(ReadBounded(stream, name), name, channels, height, width, background);
    }

    /// <summary>The bytes Skia is given: the whole file, or a PNG's pixel chunks only; refused when the file is longer
    /// than <see cref="MaxFileBytes"/>.</summary>
    private static byte[] ReadBounded(Stream stream, string name)
    {
        if (stream.Length > MaxFileBytes)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{name}: the image file is {stream.Length} bytes, more than the {MaxFileBytes} bytes (64 MiB) an image may have"));
        Span<byte> start = stackalloc byte[8];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        if (PngChunks.HasSignature(start[..read])) return PngChunks.KeepPixelChunks(stream, name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void CheckSize(int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images have 1 (grey) or 3 (RGB) channels");
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)height * width > MaxPixels) throw new ArgumentOutOfRangeException(nameof(height), $"{height}×{width} is more than {MaxPixels} pixels");
    }

    private static float[] Decode(byte[] content, string name, int channels, int height, int width, ImageBackground background)
    {
        using var data = SKData.CreateCopy(content);
        using var codec = SKCodec.Create(data);
        // The bytes that can hold pixels: a PNG's skipped metadata does not count.
        long length = content.Length;
        if (codec is null) throw new DataFormatException($"{name}: not an image (PNG, JPEG, GIF, BMP or WebP)");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0 || pixels > MaxPixels)
            throw new DataFormatException($"{name}: image claims {info.Width}×{info.Height} pixels (at most {MaxPixels} are read)");
        if (pixels > FreePixels && pixels > MaxPixelsPerByte * length)
            throw new DataFormatException($"{name}: image claims {info.Width}×{info.Height} pixels, more than its {length} bytes of image data can hold");
        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (decoded.GetPixels() == IntPtr.Zero) throw new DataFormatException($"{name}: no memory for a {info.Width}×{info.Height} image");
        var status = codec.GetPixels(decoded.Info, decoded.GetPixels());
        // Skia reports pixel data that stops decompressing or ends early as IncompleteInput and leaves the rest of the
        // canvas blank: such an image must not be predicted as if it were whole.
        if (status is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput)
            throw new DataFormatException($"{name}: the image is damaged or cut short: its pixel data ends early or does not decompress ({status})");
        if (status != SKCodecResult.Success)
            throw new DataFormatException($"{name}: the image could not be decoded ({status})");
        using var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new DataFormatException($"{name}: the image could not be resized to {width}×{height}");

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
