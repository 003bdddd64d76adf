namespace Nabla.Training;

/// <summary>Which training run a checkpoint belongs to: a random id made when the run starts (kept when it resumes),
/// with the dataset and the network it trains, for messages. Two runs into one folder are told apart by
/// <paramref name="Id"/> alone: the same data and network trained again is still another run.</summary>
/// <param name="Id">The run's id, unique per fresh run (<see cref="NewId"/>).</param>
/// <param name="Dataset">The name of the training dataset.</param>
/// <param name="Architecture">The network, as <see cref="NN.Module.Describe"/> gives it.</param>
public sealed record RunIdentity(string Id, string Dataset, string Architecture)
{
    /// <summary>A new random run id: 32 lowercase hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>"run 1a2b3c4d (digits-train, Mlp(64 → 256 → 10, relu))": the first 8 digits of the id suffice for people.</summary>
    public override string ToString() => $"run {Id[..Math.Min(8, Id.Length)]} ({Dataset}, {Architecture})";
}
