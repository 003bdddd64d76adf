using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Pictures;

/// <summary>The first layer's weights as images, one tile per hidden unit (or per convolution filter): the pattern in
/// the input that most excites that unit. Each tile is scaled by its own largest |w|: mid-grey is 0, white the most
/// positive weight, black the most negative. Tiles are laid out in a near-square grid, separated by a 1-pixel gap
/// (before scaling), and each pixel is drawn as a <c>scale</c>×<c>scale</c> block.</summary>
public static class WeightTiles
{
    /// <summary>At most this many tiles are drawn (the first units): more would be too small to read.</summary>
    public const int MaxTiles = 256;

    /// <summary>Writes the tiles of the first layer of <paramref name="model"/> — its first Linear or Conv2d weight —
    /// to <paramref name="path"/> (PNG), for inputs of <paramref name="exampleShape"/> (C, H, W) or (H, W).</summary>
    /// <exception cref="ArgumentException">The model has no weight matrix or filter bank first, or its input is not an image.</exception>
    public static (int Width, int Height) SaveFirstLayer(Module model, IReadOnlyList<int> exampleShape, string path, int scale = 4)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        var weight = model.NamedParameters()
            .Where(p => p.Key.EndsWith("weight", StringComparison.Ordinal) && p.Value.Rank is 2 or 4)
            .Select(p => p.Value)
            .FirstOrDefault() ?? throw new ArgumentException("the model has no Linear or Conv2d weight to draw", nameof(model));
        if (weight.Rank == 4) return Save(weight, weight.Shape[2], weight.Shape[3], path, scale);   // (O, C, kh, kw)

        int[] image = exampleShape.Count switch
        {
            3 => [exampleShape[0], exampleShape[1], exampleShape[2]],
            2 => [1, exampleShape[0], exampleShape[1]],
            _ => throw new ArgumentException($"inputs of shape ({string.Join(", ", exampleShape)}) are not images: first-layer tiles need (C, H, W) or (H, W)", nameof(exampleShape)),
        };
        if (weight.Shape[1] != image[0] * image[1] * image[2])
            throw new ArgumentException($"the first weight matrix {weight.Shape} does not take inputs of ({string.Join(", ", exampleShape)})", nameof(model));
        return Save(weight.Reshape(new Shape(weight.Shape[0], image[0], image[1], image[2])), image[1], image[2], path, scale);
    }

    /// <summary>Writes one tile per unit of <paramref name="weight"/>, shaped (units, C, tileHeight, tileWidth) (the
    /// channels averaged) or (units, tileHeight × tileWidth), to <paramref name="path"/>; returns the picture's size
    /// in pixels.</summary>
    public static (int Width, int Height) Save(Tensor weight, int tileHeight, int tileWidth, string path, int scale = 4)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        int units = weight.Shape[0];
        int perUnit = weight.Count / Math.Max(1, units);
        int pixels = tileHeight * tileWidth;
        if (units == 0 || perUnit % pixels != 0)
            throw new ArgumentException($"weights of shape {weight.Shape} do not split into {tileHeight}×{tileWidth} tiles", nameof(weight));
        int channels = perUnit / pixels;
        int tiles = Math.Min(units, MaxTiles);
        var (columns, _) = Grid(tiles);
        var (width, height) = PictureSize(tiles, tileHeight, tileWidth, scale);

        var gray = new byte[height, width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++) gray[y, x] = 40;   // the gaps: darker than any weight's grey
        }

        var values = weight.ToDoubleArray();
        var tile = new double[pixels];
        for (int unit = 0; unit < tiles; unit++)
        {
            // Average the channels, then scale so that the largest |w| of this unit reaches white or black.
            Array.Clear(tile);
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < pixels; p++) tile[p] += values[unit * perUnit + c * pixels + p] / channels;
            }

            double largest = tile.Max(Math.Abs);
            int top = (1 + (unit / columns) * (tileHeight + 1)) * scale, left = (1 + (unit % columns) * (tileWidth + 1)) * scale;
            for (int p = 0; p < pixels; p++)
            {
                double w = largest > 0 && double.IsFinite(largest) ? tile[p] / largest : 0;
                byte shade = (byte)Math.Clamp(Math.Round(127.5 + 127.5 * w), 0, 255);
                for (int dy = 0; dy < scale; dy++)
                {
                    for (int dx = 0; dx < scale; dx++) gray[top + (p / tileWidth) * scale + dy, left + (p % tileWidth) * scale + dx] = shade;
                }
            }
        }

        using var picture = new ScottPlot.Image(gray);
        PngFile.Save(picture.GetImageBytes(ScottPlot.ImageFormat.Png, 100), path);
        return (width, height);
    }

    /// <summary>The size in pixels of a picture of <paramref name="tiles"/> tiles: a near-square grid with a 1-pixel
    /// border and gap, all scaled.</summary>
    public static (int Width, int Height) PictureSize(int tiles, int tileHeight, int tileWidth, int scale)
    {
        var (columns, rows) = Grid(Math.Min(tiles, MaxTiles));
        return ((columns * (tileWidth + 1) + 1) * scale, (rows * (tileHeight + 1) + 1) * scale);
    }

    private static (int Columns, int Rows) Grid(int tiles)
    {
        int columns = (int)Math.Ceiling(Math.Sqrt(tiles));
        return (columns, (tiles + columns - 1) / columns);
    }
}
