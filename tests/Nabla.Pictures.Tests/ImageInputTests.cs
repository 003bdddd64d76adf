using Nabla.Data;

namespace Nabla.Pictures.Tests;

public sealed class ImageInputTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Write(string name, byte[,] gray, ScottPlot.ImageFormat format = ScottPlot.ImageFormat.Png)
    {
        using var image = new ScottPlot.Image(gray);
        return _files.Write(name, image.GetImageBytes(format, 100));
    }

    private static byte[,] Gradient(int height, int width, Func<int, int, int> value)
    {
        var pixels = new byte[height, width];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) pixels[y, x] = (byte)value(y, x);
        return pixels;
    }

    [Fact]
    public void A_grey_png_at_the_models_size_reads_back_as_its_pixels_over_255()
    {
        var pixels = Gradient(8, 8, (y, x) => y == 0 || x == 0 ? 0 : 30 * x + y);
        var values = ImageInput.Read(Write("digit.png", pixels), 1, 8, 8);
        Assert.Equal(64, values.Length);
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++) Assert.Equal(pixels[y, x] / 255f, values[y * 8 + x], 2);
        }
    }

    [Fact]
    public void A_light_background_is_inverted_to_the_datasets_light_on_dark_unless_told_otherwise()
    {
        var ink = Gradient(16, 16, (y, x) => x is > 5 and < 10 ? 0 : 255);   // a dark bar on white paper
        var path = Write("ink.png", ink);
        var auto = ImageInput.Read(path, 1, 16, 16);
        Assert.Equal(0, auto[0], 2);          // the paper becomes the dark background
        Assert.Equal(1, auto[7], 2);          // the ink becomes light
        var asIs = ImageInput.Read(path, 1, 16, 16, ImageBackground.Dark);
        Assert.Equal(1, asIs[0], 2);
    }

    [Fact]
    public void Images_are_resized_to_the_models_shape_and_jpeg_reads_too()
    {
        var big = Gradient(64, 48, (y, x) => x < 24 ? 255 : 0);   // left half light
        var values = ImageInput.Read(Write("big.jpg", big, ScottPlot.ImageFormat.Jpeg), 1, 8, 8, ImageBackground.Dark);
        Assert.Equal(64, values.Length);
        Assert.True(values[8 * 4 + 1] > 0.9f && values[8 * 4 + 6] < 0.1f, string.Join(", ", values));
        Assert.Equal(3 * 28 * 28, ImageInput.Read(Write("rgb.png", big), 3, 28, 28).Length);
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_a_data_format_error_naming_it()
    {
        var path = _files.Write("notes.png", "this is not a picture"u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => ImageInput.Read(path, 1, 8, 8));
        Assert.Contains("notes.png: not an image", e.Message, StringComparison.Ordinal);
        var truncated = File.ReadAllBytes(Write("whole.png", Gradient(32, 32, (y, x) => x * 8)));
        var cut = _files.Write("cut.png", truncated[..(truncated.Length / 3)]);
        Assert.Contains("cut.png: ", Assert.Throws<DataFormatException>(() => ImageInput.Read(cut, 1, 8, 8)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage", "damaged or cut short")]           // random bytes where the zlib stream should be
    [InlineData("inflate-error", "damaged or cut short")]     // a valid zlib header, then a corrupt deflate stream
    [InlineData("adler", "damaged or cut short")]             // the zlib checksum at the end is wrong
    [InlineData("half", "damaged or cut short")]              // only the first half of the zlib stream
    [InlineData("bad-crc", "the CRC of its IDAT chunk")]
    [InlineData("no-end", "cut short")]                       // the file stops inside IDAT, before IEND
    public void A_png_with_damaged_pixel_data_is_refused_never_decoded_as_far_as_it_goes(string damage, string reason)
    {
        var whole = File.ReadAllBytes(Write("whole.png", Gradient(28, 28, (y, x) => 9 * x)));
        var damaged = damage switch
        {
            "garbage" => PngBytes.ReplaceImageData(whole, data => Noise(data.Length, 1)),
            "inflate-error" => PngBytes.ReplaceImageData(whole, data => [data[0], data[1], .. Noise(data.Length - 2, 2)]),
            "adler" => PngBytes.ReplaceImageData(whole, data => [.. data[..^1], (byte)(data[^1] ^ 0xFF)]),
            "half" => PngBytes.ReplaceImageData(whole, data => data[..(data.Length / 2)]),
            "bad-crc" => PngBytes.ReplaceImageData(whole, data => data, badCrc: true),
            _ => PngBytes.ReplaceImageData(whole, data => data)[..^20],
        };
        var path = _files.Write($"{damage}.png", damaged);
        foreach (var read in new Func<float[]>[] { () => ImageInput.Read(path, 1, 8, 8), () => ImageInput.Read(damaged, path, 1, 8, 8) })
        {
            var e = Assert.Throws<DataFormatException>(read);
            Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
            Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(ImageInput.Read(whole, "whole.png", 1, 8, 8), ImageInput.Read(PngBytes.ReplaceImageData(whole, data => data), "same.png", 1, 8, 8));
    }

    [Fact]
    public void Large_metadata_chunks_in_a_png_file_are_skipped_and_its_pixels_read_as_without_them()
    {
        var whole = File.ReadAllBytes(Write("whole.png", Gradient(28, 28, (y, x) => 9 * x + y)));
        var expected = ImageInput.Read(whole, "whole.png", 1, 28, 28);
        // 24 MB of text and 24 MB of an unknown ancillary chunk: Skia's reader took minutes over one 16 MB chunk.
        var padded = PngBytes.InsertAfterHeader(PngBytes.InsertAfterHeader(whole, PngBytes.Chunk("tEXt", new byte[24 << 20])), PngBytes.Chunk("nbLa", new byte[24 << 20]));
        var path = _files.Write("padded.png", padded);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(expected, ImageInput.Read(path, 1, 28, 28));
        Assert.Equal(expected, ImageInput.Read(padded, "padded.png", 1, 28, 28));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"reading took {clock.Elapsed}");   // a sanity bound, not a benchmark
    }

    [Fact]
    public void Large_comment_segments_in_a_jpeg_file_are_read_past_and_its_pixels_read_as_without_them()
    {
        var jpeg = File.ReadAllBytes(Write("whole.jpg", Gradient(28, 28, (y, x) => 9 * x + y), ScottPlot.ImageFormat.Jpeg));
        var expected = ImageInput.Read(jpeg, "whole.jpg", 1, 28, 28);
        // 16 MB of COM segments (at most 64 KB each) right after the SOI marker.
        var comment = new byte[65535 + 2];
        comment[0] = 0xFF;
        comment[1] = 0xFE;
        comment[2] = 0xFF;
        comment[3] = 0xFF;
        var padded = new List<byte>(jpeg[..2]);
        for (int i = 0; i < 256; i++) padded.AddRange(comment);
        padded.AddRange(jpeg[2..]);
        var path = _files.Write("padded.jpg", [.. padded]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(expected, ImageInput.Read(path, 1, 28, 28));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"reading took {clock.Elapsed}");   // a sanity bound, not a benchmark
    }

    [Fact]
    public void An_image_file_longer_than_the_limit_is_refused_naming_the_file_and_the_limit()
    {
        // A valid PNG followed by zeros up to one byte past the limit (a sparse file): decoders stop at IEND and
        // would take it, but no more than the limit is read of any image.
        var png = File.ReadAllBytes(Write("small.png", Gradient(8, 8, (y, x) => x)));
        var path = _files.PathOf("long.png");
        using (var file = File.Create(path))
        {
            file.Write(png);
            file.SetLength(ImageInput.MaxFileBytes + 1);
        }

        var e = Assert.Throws<DataFormatException>(() => ImageInput.Read(path, 1, 8, 8));
        Assert.Equal($"{path}: the image file is 67108865 bytes, more than the 67108864 bytes (64 MiB) an image may have", e.Message);
        Assert.Equal(64, ImageInput.Read(_files.Write("exact.png", [.. png, .. new byte[1000]]), 1, 8, 8).Length);
    }

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Untrusted files (docs/fuzzing.md).

    [Fact]
    public void A_short_file_claiming_a_huge_canvas_is_refused_before_decoding()
    {
        // A valid 8×8 PNG whose IHDR (with its CRC) now claims 8000×8000: 64 megapixels from a hundred bytes.
        var png = File.ReadAllBytes(Write("small.png", Gradient(8, 8, (y, x) => x)));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 8000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 8000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), PngBytes.Crc32(png.AsSpan(12, 17)));
        var e = Assert.Throws<DataFormatException>(() => ImageInput.Read(png, "claims.png", 1, 8, 8));
        Assert.Contains("claims.png: image claims 8000×8000 pixels, more than its", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_in_memory_read_like_a_file_and_garbage_is_a_data_format_error()
    {
        var path = Write("m.png", Gradient(8, 8, (y, x) => y == 0 || x == 0 ? 0 : 30 * x + y));
        Assert.Equal(ImageInput.Read(path, 1, 8, 8), ImageInput.Read(File.ReadAllBytes(path), "m.png", 1, 8, 8));
        foreach (var bad in new byte[][] { [], [0x89, 0x50, 0x4E, 0x47], "GIF89a"u8.ToArray(), [0xFF, 0xD8, 0xFF, 0xD9] })
            Assert.Contains("bad.img", Assert.Throws<DataFormatException>(() => ImageInput.Read(bad, "bad.img", 3, 4, 4)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageInput.Read(File.ReadAllBytes(path), "m.png", 1, 100_000, 100_000));
    }

    /// <summary>BMPs of about 100 bytes that the fuzzer's file-path target found (fuzz/findings, now removed): read
    /// through SkiaSharp's stream callback, the first aborted the process from native code and the others allocated
    /// 1.0–1.2 GB before being refused. Read from the file's bytes, each is one error naming the file.</summary>
    [Theory]
    [InlineData("crash.bmp", "Qk1mAAAAAAAA5jYAAJAoAAAABQAAAAMAAAABABgAAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAyCgAyFC3yHgAyKAAyAAAUMgoUMhQUMh4UMgBUMgAAKDIKKDIUKAAeKDIoGgQAA==")]
    [InlineData("alloc-1.bmp", "Qk1mAAAAABgAAAAAADAoAAAABQAAAAMAAAABABgAAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAAADIKADIUMgooMhQoADIeKDIoKDIAFBQyHhQyKBQyAAAoMgooMhQoADIeKDIoKDIAA==")]
    [InlineData("alloc-2.bmp", "Qk1mAAAAAAAAADYAAEwoAAAABQAAAAMAAAABABgAAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAAADIKADIUADIeADIoADIAABQyChQyFBQyHhQyKBQyAAAoMgooMhQoMh4oMigoMgA")]
    public void Bmp_files_the_fuzzer_found_are_refused_from_the_file_path_without_a_crash_or_a_gigabyte(string name, string base64)
    {
        var path = _files.Write(name, Convert.FromBase64String(base64));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => ImageInput.Read(path, 1, 28, 28));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated to refuse a {new FileInfo(path).Length}-byte file");
    }
}
