using System.Globalization;
using Nabla.Training;
using ScottPlot;

namespace Nabla.Pictures;

/// <summary>The confusion matrix as a heat map: rows are the true classes, columns the predicted ones, each cell coloured
/// by the fraction of its row (so rare classes are as visible as common ones) and labelled with its count.</summary>
public static class ConfusionMatrixPicture
{
    /// <summary>Writes <paramref name="result"/>'s confusion matrix, with its class names, to <paramref name="path"/> (PNG).</summary>
    public static void Save(EvaluationResult result, string path, int width = 900, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(result);
        Save(result.ConfusionMatrix, result.ClassNames, path, width, height);
    }

    /// <summary>Writes <paramref name="counts"/> [true class, predicted class] to <paramref name="path"/> (PNG).</summary>
    /// <exception cref="ArgumentException">The matrix is not square, or the names do not match its size.</exception>
    public static void Save(int[,] counts, IReadOnlyList<string> classNames, string path, int width = 900, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(classNames);
        int c = counts.GetLength(0);
        if (c == 0 || counts.GetLength(1) != c) throw new ArgumentException($"a confusion matrix must be square and non-empty, not {c}×{counts.GetLength(1)}", nameof(counts));
        if (classNames.Count != c) throw new ArgumentException($"{classNames.Count} class names for a {c}×{c} confusion matrix", nameof(classNames));

        var fractions = new double[c, c];
        for (int i = 0; i < c; i++)
        {
            double rowTotal = 0;
            for (int j = 0; j < c; j++) rowTotal += counts[i, j];
            for (int j = 0; j < c; j++) fractions[i, j] = rowTotal > 0 ? counts[i, j] / rowTotal : 0;
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        plot.Add.ColorBar(heatmap);

        // The heat map draws row 0 at the top: cell (i, j) is centred on x = j, y = c − 1 − i.
        for (int i = 0; i < c; i++)
        {
            for (int j = 0; j < c; j++)
            {
                var label = plot.Add.Text(counts[i, j].ToString(CultureInfo.InvariantCulture), j, c - 1 - i);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = c > 12 ? 9 : 13;
                label.LabelFontColor = fractions[i, j] > 0.5 ? Colors.Black : Colors.White;
            }
        }

        double[] positions = [.. Enumerable.Range(0, c).Select(j => (double)j)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, [.. classNames]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. positions.Select(y => c - 1 - y)], [.. classNames]);
        bool slanted = classNames.Any(n => n.Length > 3);   // long names would overlap side by side
        if (slanted)
        {
            // Slanted up to the left, ending under their column, with room reserved below the axis.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 6 * classNames.Max(n => n.Length) + 24;
        }

        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.Title("Confusion matrix (colour: fraction of the true class)");
        PngFile.Save(plot, path, width, height);
    }
}
