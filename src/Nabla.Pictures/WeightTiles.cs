using System.Globalization;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Pictures;

/// <summary>The first layer's weights as images, one tile per hidden unit (or per convolution filter): the pattern in
/// the input that most excites that unit. Each tile is scaled by its own largest |w|: mid-grey is 0, white the most
/// positive weight, black the most negative, as the colour bar beside them shows. Tiles are laid out in a near-square
/// grid, separated by a 1-pixel gap (before scaling), each pixel drawn as about a <c>scale</c>×<c>scale</c> block; the
/// title says how many units there are and which are shown.</summary>
public static class WeightTiles
{
    /// <summary>At most this many tiles are drawn (the first units): more would be too small to read.</summary>
    public const int MaxTiles = 256;

    /// <summary>Writes the tiles of the first layer of <paramref name="model"/> — its first Linear or Conv2d weight —
    /// to <paramref name="path"/> (PNG), for inputs of <paramref name="exampleShape"/> (C, H, W) or (H, W).</summary>
    /// <exception cref="ArgumentException">The model has no weight matrix or filter bank first, or its input is not an image.</exception>
    public static (int Width, int Height) SaveFirstLayer(Module model, IReadOnlyList<int> exampleShape, string path, int scale = 4)
    {
        var (weight, tileHeight, tileWidth, kind) = FirstLayer(model, exampleShape);
        return Save(weight, tileHeight, tileWidth, path, scale, kind);
    }

    /// <summary>What <see cref="SaveFirstLayer"/> draws: the first layer's weight as (units, C, H, W), the tile size,
    /// and what a tile is ("filters" of a convolution, "units" of a Linear layer).</summary>
    internal static (Tensor Weight, int TileHeight, int TileWidth, string Kind) FirstLayer(Module model, IReadOnlyList<int> exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        var weight = model.NamedParameters()
            .Where(p => p.Key.EndsWith("weight", StringComparison.Ordinal) && p.Value.Rank is 2 or 4)
            .Select(p => p.Value)
            .FirstOrDefault() ?? throw new ArgumentException("the model has no Linear or Conv2d weight to draw", nameof(model));
        if (weight.Rank == 4) return (weight, weight.Shape[2], weight.Shape[3], "filters");   // (O, C, kh, kw)

        int[] image = exampleShape.Count switch
        {
            3 => [exampleShape[0], exampleShape[1], exampleShape[2]],
            2 => [1, exampleShape[0], exampleShape[1]],
            _ => throw new ArgumentException($"inputs of shape ({string.Join(", ", exampleShape)}) are not images: first-layer tiles need (C, H, W) or (H, W)", nameof(exampleShape)),
        };
        if (weight.Shape[1] != image[0] * image[1] * image[2])
            throw new ArgumentException($"the first weight matrix {weight.Shape} does not take inputs of ({string.Join(", ", exampleShape)})", nameof(model));
        return (weight.Reshape(new Shape(weight.Shape[0], image[0], image[1], image[2])), image[1], image[2], "units");
    }

    /// <summary>Writes one tile per unit of <paramref name="weight"/>, shaped (units, C, tileHeight, tileWidth) (the
    /// channels averaged) or (units, tileHeight × tileWidth), to <paramref name="path"/>, under a title that says which
    /// units are shown and beside a colour bar with 0 marked; returns the picture's size in pixels
    /// (<see cref="PictureSize"/>).</summary>
    public static (int Width, int Height) Save(Tensor weight, int tileHeight, int tileWidth, string path, int scale = 4) =>
        Save(weight, tileHeight, tileWidth, path, scale, weight?.Rank == 4 ? "filters" : "units");

    private static (int Width, int Height) Save(Tensor weight, int tileHeight, int tileWidth, string path, int scale, string kind)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var plot = CreatePlot(weight, tileHeight, tileWidth, kind);
        int units = weight.Shape[0];
        var (width, height) = PictureSize(units, tileHeight, tileWidth, scale);
        PngFile.Save(plot, path, width, height);
        return (width, height);
    }

    /// <summary>The picture <see cref="Save(Tensor, int, int, string, int)"/> draws, as a plot: the tiles as a grey heat map (NaN in the gaps), its
    /// title, and a colour bar from −1 (black, the unit's most negative weight) through 0 (mid-grey) to +1 (white);
    /// <paramref name="kind"/> names what a tile is ("units" of a Linear layer, "filters" of a convolution).</summary>
    internal static ScottPlot.Plot CreatePlot(Tensor weight, int tileHeight, int tileWidth, string kind = "units")
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileWidth, 1);
        int units = weight.Shape[0];
        int perUnit = weight.Count / Math.Max(1, units);
        int pixels = tileHeight * tileWidth;
        if (units == 0 || perUnit % pixels != 0)
            throw new ArgumentException($"weights of shape {weight.Shape} do not split into {tileHeight}×{tileWidth} tiles", nameof(weight));
        int channels = perUnit / pixels;
        int tiles = Math.Min(units, MaxTiles);
        var (columns, rows) = Grid(tiles);

        // One cell per weight, NaN (drawn as the background) in the border and the gaps between tiles.
        var grid = new double[rows * (tileHeight + 1) + 1, columns * (tileWidth + 1) + 1];
        for (int y = 0; y < grid.GetLength(0); y++)
        {
            for (int x = 0; x < grid.GetLength(1); x++) grid[y, x] = double.NaN;
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
            int top = 1 + (unit / columns) * (tileHeight + 1), left = 1 + (unit % columns) * (tileWidth + 1);
            for (int p = 0; p < pixels; p++)
                grid[top + p / tileWidth, left + p % tileWidth] = largest > 0 && double.IsFinite(largest) ? Math.Clamp(tile[p] / largest, -1, 1) : 0;
        }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(-1, 1);
        heatmap.NaNCellColor = new ScottPlot.Color(40, 40, 40);   // the gaps: darker than any weight's grey
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "w / the tile's largest |w|";
        colorBar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual([-1, -0.5, 0, 0.5, 1], ["-1", "-0.5", "0", "0.5", "1"]);

        string shown = tiles < units
            ? string.Create(CultureInfo.InvariantCulture, $"first {tiles} of {units} {kind}")
            : string.Create(CultureInfo.InvariantCulture, $"all {units} {kind}");
        plot.Title($"First-layer weights ({shown})");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.HideGrid();
        plot.Axes.Frame(false);
        plot.Axes.Margins(0, 0);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>The size in pixels of the picture of <paramref name="tiles"/> tiles: a near-square grid with a 1-pixel
    /// border and gap, all scaled, plus room for the title and the colour bar (and at least 520 × 240 pixels, so
    /// that the title fits).</summary>
    public static (int Width, int Height) PictureSize(int tiles, int tileHeight, int tileWidth, int scale)
    {
        var (columns, rows) = Grid(Math.Min(tiles, MaxTiles));
        int gridWidth = (columns * (tileWidth + 1) + 1) * scale, gridHeight = (rows * (tileHeight + 1) + 1) * scale;
        return (Math.Max(520, gridWidth + ColorBarRoom), Math.Max(240, gridHeight + TitleRoom));
    }

    /// <summary>Pixels beside the tiles for the colour bar, its ticks and its label.</summary>
    private const int ColorBarRoom = 170;

    /// <summary>Pixels above and below the tiles for the title and the frame.</summary>
    private const int TitleRoom = 70;

    private static (int Columns, int Rows) Grid(int tiles)
    {
        int columns = (int)Math.Ceiling(Math.Sqrt(tiles));
        return (columns, (tiles + columns - 1) / columns);
    }
}
