namespace Nabla.Training;

/// <summary>Which training run a checkpoint belongs to: a random id made when the run starts (kept when it resumes),
/// with the dataset and the network it trains, for messages. Two runs into one folder are told apart by
/// <paramref name="Id"/> alone: the same data and network trained again is still another run.</summary>
/// <param name="Id">The run's id, unique per fresh run (<see cref="NewId"/>).</param>
/// <param name="Dataset">The name of the training dataset.</param>
/// <param name="Architecture">The network, as <see cref="NN.Module.Describe"/> gives it.</param>
public sealed record RunIdentity(string Id, string Dataset, string Architecture)
{
    /// <summary>The longest dataset or architecture name an identity keeps: they are for messages, and a checkpoint
    /// whose identity is longer (or holds a control character) is not trusted when it is read back.</summary>
    public const int MaxNameLength = 200;

    /// <summary>An identity whose names are fit to be saved and read back: control characters escaped and each name
    /// cut to <see cref="MaxNameLength"/> characters (a dataset named after a file, a deep network's description).</summary>
    public static RunIdentity Of(string id, string dataset, string architecture)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(architecture);
        return new RunIdentity(id, Fit(dataset), Fit(architecture));

        static string Fit(string name)
        {
            name = Data.SafeText.Escape(name);
            return name.Length <= MaxNameLength ? name : string.Concat(name.AsSpan(0, MaxNameLength - 1), "…");
        }
    }

    /// <summary>A new random run id: 32 lowercase hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>"run 1a2b3c4d (digits-train, Mlp(64 → 256 → 10, relu))": the first 8 digits of the id suffice for people.</summary>
    public override string ToString() => $"run {Id[..Math.Min(8, Id.Length)]} ({Dataset}, {Architecture})";
}
