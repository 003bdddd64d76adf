using Nabla.Training;
using ScottPlot;

namespace Nabla.Pictures;

/// <summary>Loss and accuracy per epoch, for the training data and (where the history has it) the validation data:
/// the first thing to look at after training — a widening gap is overfitting, a flat line a learning rate too small.</summary>
public static class LearningCurves
{
    /// <summary>Writes the mean training loss and the validation loss per epoch to <paramref name="path"/> (PNG);
    /// <paramref name="validationName"/> labels the second curve ("test" where the test set was watched).</summary>
    public static void SaveLoss(IReadOnlyList<EpochResult> history, string path, int width = 800, int height = 500, string validationName = "validation") =>
        Save(history, path, width, height, "loss", e => e.Loss, e => e.ValidationLoss, validationName);

    /// <summary>Writes training and validation accuracy (in %) per epoch to <paramref name="path"/> (PNG).</summary>
    public static void SaveAccuracy(IReadOnlyList<EpochResult> history, string path, int width = 800, int height = 500, string validationName = "validation") =>
        Save(history, path, width, height, "accuracy (%)", e => 100 * e.TrainAccuracy, e => 100 * e.ValidationAccuracy, validationName);

    private static void Save(IReadOnlyList<EpochResult> history, string path, int width, int height, string quantity, Func<EpochResult, double> train, Func<EpochResult, double?> validation, string validationName)
    {
        var plot = CreatePlot(history, quantity, train, validation, validationName);
        PngFile.Save(plot, path, width, height);
    }

    /// <summary>The loss curves as a plot, before it is drawn.</summary>
    internal static Plot CreateLossPlot(IReadOnlyList<EpochResult> history, string validationName = "validation") =>
        CreatePlot(history, "loss", e => e.Loss, e => e.ValidationLoss, validationName);

    private static Plot CreatePlot(IReadOnlyList<EpochResult> history, string quantity, Func<EpochResult, double> train, Func<EpochResult, double?> validation, string validationName)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0) throw new ArgumentException("the training history is empty: there is nothing to plot", nameof(history));
        var plot = new Plot();
        double[] epochs = [.. history.Select(e => (double)e.Epoch)];
        double[] trainValues = [.. history.Select(train)];
        var trainLine = plot.Add.Scatter(epochs, trainValues);
        trainLine.LegendText = "train";
        var validated = history.Where(e => validation(e) is { } v && double.IsFinite(v)).ToArray();
        if (validated.Length > 0)
        {
            double[] validatedEpochs = [.. validated.Select(e => (double)e.Epoch)], validationValues = [.. validated.Select(e => validation(e)!.Value)];
            var validationLine = plot.Add.Scatter(validatedEpochs, validationValues);
            validationLine.LegendText = validationName;
        }

        plot.Title($"{char.ToUpperInvariant(quantity[0])}{quantity[1..]} per epoch");
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel(quantity);
        // Beside the data area, not in a corner of it, where it covered the last points of a curve.
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
