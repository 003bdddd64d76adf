namespace Nabla.Cli.Commands;

/// <summary>The options of a <c>nabla train</c> run as given, typed, null (or false) where an option was left out: the
/// run description every checkpoint keeps, so that <c>--resume</c> rebuilds the run's settings from this record (the
/// same validation as a fresh run's) instead of parsing a command line again. Stored with absolute paths, so that
/// <c>--resume</c> works from any folder.</summary>
internal sealed record TrainArguments
{
    /// <summary>How the record is written and read: a field it does not know is refused, not skipped.</summary>
    public static System.Text.Json.JsonSerializerOptions Json { get; } = new() { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public string? Dataset { get; init; }

    public string? Data { get; init; }

    public string? LabelColumn { get; init; }

    public int? Classes { get; init; }

    public string? Hidden { get; init; }

    public string? Activation { get; init; }

    public string? Model { get; init; }

    public string? Loss { get; init; }

    public double? LabelSmoothing { get; init; }

    public string? Optimizer { get; init; }

    public double? ClipNorm { get; init; }

    public int? Warmup { get; init; }

    public int? EarlyStopping { get; init; }

    public string? LogCsv { get; init; }

    public string? LogJson { get; init; }

    public bool Plots { get; init; }

    public bool Quiet { get; init; }

    public bool Sanity { get; init; }

    public string? Schedule { get; init; }

    public double? LearningRate { get; init; }

    public double? Momentum { get; init; }

    public bool Nesterov { get; init; }

    public double? L2 { get; init; }

    public double? L1 { get; init; }

    public int? Epochs { get; init; }

    public int? BatchSize { get; init; }

    public int? Seed { get; init; }

    public int? Threads { get; init; }

    public string? Out { get; init; }

    public int? CheckpointEvery { get; init; }

    public bool SyncBn { get; init; }

    public string? Device { get; init; }

    /// <summary>This record with every path made absolute and the output folder <paramref name="outputDirectory"/>
    /// written out: the form a checkpoint keeps.</summary>
    public TrainArguments ForCheckpoint(string outputDirectory) => this with
    {
        Data = Absolute(Data),
        LogCsv = Absolute(LogCsv),
        LogJson = Absolute(LogJson),
        Out = Path.GetFullPath(outputDirectory),
    };

    private static string? Absolute(string? path) => path is null ? null : Path.GetFullPath(path);
}
