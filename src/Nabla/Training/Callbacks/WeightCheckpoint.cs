using Nabla.Serialization;

namespace Nabla.Training.Callbacks;

/// <summary>After every epoch, saves the model's parameters and buffers to
/// <c>epoch-NNN.safetensors</c> in a folder, each file written atomically (a crash never leaves a half file; the
/// previous epochs' files stay).</summary>
public sealed class WeightCheckpoint(string directory) : ITrainingCallback
{
    /// <summary>The folder.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <summary>The path of epoch <paramref name="epoch"/>'s file.</summary>
    public string PathOf(int epoch) => System.IO.Path.Combine(Directory, $"epoch-{epoch:D3}.safetensors");

    /// <inheritdoc/>
    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(result);
        System.IO.Directory.CreateDirectory(Directory);
        SafeTensors.Write(PathOf(result.Epoch), trainer.Model.NamedState(), new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = result.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return false;
    }
}
