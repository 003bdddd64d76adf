using System.Globalization;
using Nabla.Data;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;
using ScottPlot;

namespace Nabla.Pictures;

/// <summary>What a network does with the whole plane: each point of a grid over 2-D data is coloured by the class the
/// network predicts there, and the data is drawn on top. One hidden unit can only cut the plane along one line (a
/// sigmoid ridge); two can bend it once; fifty can follow a spiral — the lecture's opening pictures.</summary>
public static class DecisionRegions
{
    private static readonly Color[] ClassColors =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>The bounds the picture shows: the data's bounding box with a margin of 10% on each side.</summary>
    public static (double XMin, double XMax, double YMin, double YMax) Bounds(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var v = data.Features.ToDoubleArray();
        if (data.FeatureCount != 2 || data.Count == 0) throw new ArgumentException($"decision regions need non-empty 2-D data, not {data.Features.Shape}", nameof(data));
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < data.Count; i++)
        {
            xMin = Math.Min(xMin, v[2 * i]); xMax = Math.Max(xMax, v[2 * i]);
            yMin = Math.Min(yMin, v[2 * i + 1]); yMax = Math.Max(yMax, v[2 * i + 1]);
        }

        double dx = Math.Max(1e-6, xMax - xMin) * 0.1, dy = Math.Max(1e-6, yMax - yMin) * 0.1;
        return (xMin - dx, xMax + dx, yMin - dy, yMax + dy);
    }

    /// <summary>The class <paramref name="model"/> predicts at the centre of each cell of a <paramref name="rows"/>×
    /// <paramref name="columns"/> grid over the bounds; row 0 is the top (largest y).</summary>
    public static int[,] Classify(Module model, (double XMin, double XMax, double YMin, double YMax) bounds, int columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var points = new double[rows * columns * 2];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                points[2 * (r * columns + c)] = bounds.XMin + (c + 0.5) * (bounds.XMax - bounds.XMin) / columns;
                points[2 * (r * columns + c) + 1] = bounds.YMax - (r + 0.5) * (bounds.YMax - bounds.YMin) / rows;
            }
        }

        var dtype = model.Parameters().FirstOrDefault()?.DType ?? DType.Float32;
        var probabilities = Evaluator.Probabilities(model, Tensor.FromArray(points, new Shape(rows * columns, 2)).To(dtype));
        int classes = probabilities.GetLength(1);
        var regions = new int[rows, columns];
        for (int i = 0; i < rows * columns; i++)
        {
            int best = 0;
            for (int k = 1; k < classes; k++) if (probabilities[i, k] > probabilities[i, best]) best = k;
            regions[i / columns, i % columns] = best;
        }

        return regions;
    }

    /// <summary>Writes the regions of <paramref name="model"/> over <paramref name="data"/> (2-D), with the data on
    /// top, to <paramref name="path"/> (PNG); <paramref name="title"/> heads it.</summary>
    public static void Save(Module model, Dataset data, string path, string? title = null, int width = 700, int height = 700, int resolution = 200)
    {
        var plot = CreatePlot(model, data, out var regionImage, title, resolution);
        using (regionImage) PngFile.Save(plot, path, width, height);
    }

    /// <summary>The picture <see cref="Save"/> draws, as a plot; <paramref name="regionImage"/> is the regions' image it
    /// shows, to be disposed once the plot has been drawn.</summary>
    internal static Plot CreatePlot(Module model, Dataset data, out ScottPlot.Image regionImage, string? title = null, int resolution = 200)
    {
        ArgumentNullException.ThrowIfNull(data);
        var bounds = Bounds(data);
        var regions = Classify(model, bounds, resolution, resolution);

        // Each region is its class's colour, washed out towards white so that the points stay visible on it.
        var pixels = new byte[resolution, resolution, 3];
        for (int r = 0; r < resolution; r++)
        {
            for (int c = 0; c < resolution; c++)
            {
                var color = ClassColors[regions[r, c] % ClassColors.Length];
                pixels[r, c, 0] = Wash(color.R);
                pixels[r, c, 1] = Wash(color.G);
                pixels[r, c, 2] = Wash(color.B);
            }
        }

        var plot = new Plot();
        regionImage = new ScottPlot.Image(pixels);
        plot.Add.ImageRect(regionImage, new CoordinateRect(bounds.XMin, bounds.XMax, bounds.YMin, bounds.YMax));
        var v = data.Features.ToDoubleArray();
        for (int k = 0; k < data.Classes; k++)
        {
            var members = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == k).ToArray();
            double[] xs = [.. members.Select(i => v[2 * i])], ys = [.. members.Select(i => v[2 * i + 1])];
            var markers = plot.Add.Markers(xs, ys);
            markers.Color = ClassColors[k % ClassColors.Length];
            markers.MarkerSize = 5;
            markers.LegendText = data.ClassNames[k];
        }

        plot.Axes.SetLimits(bounds.XMin, bounds.XMax, bounds.YMin, bounds.YMax);
        plot.Title(title ?? string.Create(CultureInfo.InvariantCulture, $"Decision regions: {model.Describe()}"));
        // The toy data's two features are plain coordinates; the regions' colours are the predicted classes.
        plot.XLabel("feature 1");
        plot.YLabel("feature 2");
        plot.ShowLegend();
        return plot;
    }

    private static byte Wash(byte channel) => (byte)(channel + (255 - channel) * 0.6);
}
