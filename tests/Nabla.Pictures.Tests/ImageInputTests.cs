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
        var values = Record.Exception(() => ImageInput.Read(cut, 1, 8, 8));
        Assert.True(values is null or DataFormatException, values?.ToString());
    }
}
