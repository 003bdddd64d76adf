using Nabla.NN;
using Nabla.Pictures;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>The pictures <c>nabla train --plots</c> writes next to the model.</summary>
internal static class TrainingPlots
{
    public const string Loss = "loss.png";
    public const string Accuracy = "accuracy.png";
    public const string Confusion = "confusion.png";
    public const string Weights = "weights.png";

    /// <summary>Writes the curves, the confusion matrix on the test set and, where the first layer sees an image, its
    /// weights; returns the line that tells the user where they are.</summary>
    public static string Write(string directory, IReadOnlyList<EpochResult> history, string watchedName, EvaluationResult test, Module model, IReadOnlyList<int> exampleShape)
    {
        var written = new List<string> { Loss, Accuracy, Confusion };
        LearningCurves.SaveLoss(history, Path.Combine(directory, Loss), validationName: watchedName);
        LearningCurves.SaveAccuracy(history, Path.Combine(directory, Accuracy), validationName: watchedName);
        ConfusionMatrixPicture.Save(test, Path.Combine(directory, Confusion));
        if (exampleShape.Count >= 2)
        {
            // 8×8 digits get larger pixels than 28×28 images, so both pictures come out a readable size.
            int scale = exampleShape[^1] <= 8 ? 8 : 3;
            WeightTiles.SaveFirstLayer(model, exampleShape, Path.Combine(directory, Weights), scale);
            written.Add(Weights);
        }

        return $"plots: {string.Join(", ", written)} in {directory}";
    }
}
