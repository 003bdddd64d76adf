using System.Text.Json;

namespace Nabla.Training.Callbacks;

/// <summary>Writes one JSON object per epoch, one per line (JSON Lines), for programs that follow training:
/// <c>{"epoch":1,"loss":0.41,"train_accuracy":0.87,"val_loss":0.38,"val_accuracy":0.88,"learning_rate":0.05,"seconds":3.1}</c>.
/// A missing validation set writes null. Each line is flushed as the epoch ends, so a reader can tail the file.</summary>
public sealed class JsonLinesLogger : ITrainingCallback, IDisposable
{
    private FileStream? _opened;

    /// <summary>A logger to <paramref name="path"/>. The file (and its folder, as <see cref="CsvLogger"/> makes it) is
    /// created, or emptied, only when the first line is written — so a run that fails before training starts (a
    /// resume that is refused, say) leaves an earlier log as it was.</summary>
    public JsonLinesLogger(string path) => Path = path ?? throw new ArgumentNullException(nameof(path));

    private FileStream Stream => _opened ??= Open();

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(result);
        WriteLine(result, result.LearningRate ?? trainer.Optimizer.LearningRate);
        return false;
    }

    /// <summary>Starts the file again from the epochs a resumed run has already finished.</summary>
    public void OnResume(Trainer trainer, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(history);
        Stream.SetLength(0);
        foreach (var result in history) WriteLine(result, result.LearningRate ?? trainer.Optimizer.LearningRate);
    }

    private void WriteLine(EpochResult result, double learningRate)
    {
        using (var json = new Utf8JsonWriter(Stream))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", result.Epoch);
            WriteNumber(json, "loss", result.Loss);
            WriteNumber(json, "train_accuracy", result.TrainAccuracy);
            WriteNumber(json, "val_loss", result.ValidationLoss);
            WriteNumber(json, "val_accuracy", result.ValidationAccuracy);
            WriteNumber(json, "learning_rate", learningRate);
            WriteNumber(json, "seconds", result.Seconds);
            json.WriteEndObject();
        }

        Stream.WriteByte((byte)'\n');
        Stream.Flush();
    }

    /// <inheritdoc/>
    public void OnTrainingEnd(Trainer trainer, IReadOnlyList<EpochResult> history) => _opened?.Flush();

    /// <summary>Closes the file.</summary>
    public void Dispose() => _opened?.Dispose();

    private FileStream Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        return new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read);
    }

    // JSON has no NaN or infinity: a diverged loss is written as null rather than as an invalid document.
    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
