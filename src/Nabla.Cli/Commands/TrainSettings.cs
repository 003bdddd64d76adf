using Nabla.Losses;
using Nabla.NN.Activations;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>The validated options of <c>nabla train</c>.</summary>
internal sealed record TrainSettings(
    string Dataset,
    string? DataDirectory,
    string? LabelColumn,
    int? Classes,
    int[] Hidden,
    Activation Activation,
    string? Architecture,
    Loss Loss,
    string Optimizer,
    double LearningRate,
    double Momentum,
    bool Nesterov,
    double L2,
    double L1,
    int Epochs,
    LearningRateSchedule Schedule,
    int BatchSize,
    int Seed,
    int Threads,
    string OutputDirectory,
    double? ClipNorm,
    bool Sanity,
    int? EarlyStopping,
    string? CsvLog,
    string? JsonLog,
    bool LiveProgress,
    bool Plots,
    int CheckpointEvery)
{
    /// <summary>The options as given (<see cref="TrainArguments"/>, as JSON), saved in every checkpoint for --resume.</summary>
    public string? CommandLine { get; init; }

    /// <summary>The checkpoint to continue from, for --resume.</summary>
    public Training.Checkpoint? ResumeFrom { get; init; }

    /// <summary>The run's id: a resumed run's, from its checkpoint; null for a fresh run, which gets a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>Whether a fresh run may remove the checkpoints of an earlier run in its --out folder (--overwrite).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Whether to say, after training, how the steps ran and what they allocated (--verbose).</summary>
    public bool Verbose { get; init; }

    /// <summary>Under mpirun, whether batch norm sums its statistics across the ranks (--sync-bn).</summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>Where the run trains (--device): the GPU or the CPU, and what the banner says of it.</summary>
    public DeviceSelection Device { get; init; } = new(false, null);
}
