using System.Globalization;

namespace Nabla.Training.Callbacks;

/// <summary>Writes one CSV row per epoch (epoch, loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds)
/// to a file, rewritten whole after every epoch through a temporary file, so it is never seen half-written.</summary>
public sealed class CsvLogger(string path) : ITrainingCallback
{
    private readonly List<string> _lines = ["epoch,loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"];

    /// <summary>The file written.</summary>
    public string Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    /// <inheritdoc/>
    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(result);
        _lines.Add(Row(result, result.LearningRate ?? trainer.Optimizer.LearningRate));
        Save();
        return false;
    }

    /// <summary>Starts the file again from the epochs a resumed run has already finished.</summary>
    public void OnResume(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(history);
        _lines.RemoveRange(1, _lines.Count - 1);
        foreach (var result in history) _lines.Add(Row(result, result.LearningRate ?? trainer.Optimizer.LearningRate));
        Save();
    }

    private static string Row(EpochResult result, double learningRate)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(',',
            result.Epoch.ToString(c), result.Loss.ToString("R", c), result.TrainAccuracy.ToString("R", c),
            result.ValidationLoss?.ToString("R", c) ?? "", result.ValidationAccuracy?.ToString("R", c) ?? "",
            learningRate.ToString("R", c), result.Seconds.ToString("F3", c));
    }

    private void Save()
    {
        Serialization.AtomicFile.Write(Path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var line in _lines) writer.WriteLine(line);
        });
    }
}
