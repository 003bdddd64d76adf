using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nabla.Data;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Serialization;

/// <summary>Checkpoint files: one safetensors file per checkpoint, <c>checkpoint-STEP.safetensors</c>, holding the
/// model state (<c>model.NAME</c>), the optimiser's buffers (<c>optimizer.NAME</c>) and, as JSON in the metadata, the
/// position, learning rates, history, random states and the caller's settings. Each file is written atomically
/// (temporary file, flush, rename) and the older ones are deleted only after it is complete, so a crash at any moment
/// leaves the previous checkpoint readable. Reading treats the file as untrusted: it holds data only.</summary>
public static class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".safetensors";
    private const string MetadataKey = "nabla.checkpoint";
    private const int FormatVersion = 1;

    // A fault to inject for tests of crash safety: with NABLA_FAULT_PAUSE_CHECKPOINT=N, the N-th checkpoint written by
    // this process stops half-way through its temporary file, says so on stderr and waits, so that a test can kill it
    // mid-write. Without the variable nothing changes.
    private static readonly int PauseAtWrite = int.TryParse(Environment.GetEnvironmentVariable("NABLA_FAULT_PAUSE_CHECKPOINT"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
    private static int _writes;

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The file name of the checkpoint after <paramref name="step"/> steps.</summary>
    public static string FileName(long step) => $"{Prefix}{step.ToString("D10", CultureInfo.InvariantCulture)}{Extension}";

    /// <summary>Writes <paramref name="checkpoint"/> into <paramref name="directory"/>, then deletes every checkpoint
    /// with more steps than it, all but the <paramref name="keep"/> newest of the rest, and temporary files left by an
    /// interrupted write; returns the path.</summary>
    /// <remarks>A checkpoint with more steps than the one just written is not this run's future: it was left by an
    /// earlier run in the same folder (a new run counts steps from 0), or it is the future a run resumed from an older
    /// checkpoint has abandoned. Kept, it would pass for the newest, and a resume would continue that other run.</remarks>
    public static string Save(string directory, Checkpoint checkpoint, int keep = 2)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName(checkpoint.Step));
        var tensors = checkpoint.ModelState.Select(p => KeyValuePair.Create("model." + p.Key, p.Value))
            .Concat(checkpoint.OptimizerState.Select(p => KeyValuePair.Create("optimizer." + p.Key, p.Value)));
        var metadata = new Dictionary<string, string> { [MetadataKey] = JsonSerializer.Serialize(Describe(checkpoint), Json) };
        bool pause = Interlocked.Increment(ref _writes) == PauseAtWrite;
        AtomicFile.Write(path, stream =>
        {
            if (!pause)
            {
                SafeTensors.Write(stream, tensors, metadata);
                return;
            }

            using var whole = new MemoryStream();
            SafeTensors.Write(whole, tensors, metadata);
            stream.Write(whole.GetBuffer().AsSpan(0, (int)(whole.Length / 2)));
            stream.Flush();
            Console.Error.WriteLine("checkpoint write paused");
            Thread.Sleep(TimeSpan.FromSeconds(60));
            stream.Write(whole.GetBuffer().AsSpan((int)(whole.Length / 2), (int)(whole.Length - whole.Length / 2)));
        });

        var checkpoints = List(directory);
        foreach (var other in checkpoints.Where(c => c.Step > checkpoint.Step)) File.Delete(other.Path);
        foreach (var old in checkpoints.Where(c => c.Step <= checkpoint.Step).Skip(keep)) File.Delete(old.Path);
        foreach (var stale in Directory.EnumerateFiles(directory, $".{Prefix}*.tmp")) TryDelete(stale);
        return path;
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/> that reads back whole, or null when there is none.
    /// A newer file that cannot be read (which atomic writing should rule out) is passed over for the one before.</summary>
    /// <exception cref="DataFormatException">Checkpoint files exist but none can be read; the message gives the newest's problem.</exception>
    public static Checkpoint? LoadLatest(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) return null;
        DataFormatException? newestProblem = null;
        foreach (var (path, _) in List(directory))
        {
            try
            {
                return Load(path);
            }
            catch (DataFormatException e)
            {
                newestProblem ??= e;
            }
        }

        return newestProblem is null ? null : throw newestProblem;
    }

    /// <summary>Reads the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">The file is not a Nabla checkpoint, or its contents do not fit together.</exception>
    public static Checkpoint Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        return FromContents(path, tensors, metadata);
    }

    /// <summary>Reads a checkpoint from its bytes; <paramref name="name"/> stands for the file in messages.</summary>
    /// <exception cref="DataFormatException">The bytes are not a Nabla checkpoint, or its contents do not fit together.</exception>
    public static Checkpoint Load(ReadOnlyMemory<byte> content, string name)
    {
        var (tensors, metadata) = SafeTensors.Read(content, name);
        return FromContents(name, tensors, metadata);
    }

    private static Checkpoint FromContents(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(MetadataKey, out var text)) throw new DataFormatException($"{path}: not a Nabla checkpoint (no \"{MetadataKey}\" metadata)");
        Description? d;
        try
        {
            d = JsonSerializer.Deserialize<Description>(text, Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{path}: the checkpoint's description is not valid JSON ({e.Message})", e);
        }

        if (d is null || d.Version != FormatVersion) throw new DataFormatException($"{path}: checkpoint format version {d?.Version} is not supported ({FormatVersion})");
        if (d.CompletedEpochs < 0 || d.BatchesInEpoch < 0 || d.Step < 0 || !(d.LearningRate > 0) || !double.IsFinite(d.LearningRate)
            || !(d.InitialLearningRate > 0) || !double.IsFinite(d.InitialLearningRate) || d.History is null || d.History.Count != d.CompletedEpochs
            || d.History.Any(e => e is null) || !double.IsFinite(d.Running.LossSum)
            || d.Running.Seen < 0 || d.Running.Correct < 0 || d.Running.Correct > d.Running.Seen || d.DropoutDraws is null || d.DropoutDraws.Values.Any(v => v < 0))
            throw new DataFormatException($"{path}: the checkpoint's position, learning rates or history are inconsistent");

        var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith("model.", StringComparison.Ordinal)) model[name["model.".Length..]] = tensor;
            else if (name.StartsWith("optimizer.", StringComparison.Ordinal)) optimizer[name["optimizer.".Length..]] = tensor;
            else throw new DataFormatException($"{path}: tensor '{name}' is neither model nor optimizer state");
        }

        return new Checkpoint(path, d.CompletedEpochs, d.BatchesInEpoch, d.Step, d.LearningRate, d.InitialLearningRate, d.History,
            d.Running, d.Settings, model, optimizer, d.DropoutDraws);
    }

    /// <summary>The checkpoint files of <paramref name="directory"/>, newest (most steps) first.</summary>
    private static List<(string Path, long Step)> List(string directory) =>
        [.. Directory.EnumerateFiles(directory, $"{Prefix}*{Extension}")
            .Select(p => (Path: p, Step: StepOf(p)))
            .Where(f => f.Step >= 0)
            .OrderByDescending(f => f.Step)];

    /// <summary>The step a checkpoint file's name gives, or −1 for a name that is not <see cref="FileName"/>'s.</summary>
    private static long StepOf(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : -1;

    /// <summary>The step of the newest checkpoint file in <paramref name="directory"/>, from its name alone (nothing is
    /// read), or null when there is none: for messages that only say where a run stopped.</summary>
    public static long? NewestStep(string directory) =>
        Directory.Exists(directory) && List(directory) is [var newest, ..] ? newest.Step : null;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another writer's temporary file in use: it is that writer's to clean up.
        }
    }

    private static Description Describe(Checkpoint c) => new()
    {
        Version = FormatVersion,
        CompletedEpochs = c.CompletedEpochs,
        BatchesInEpoch = c.BatchesInEpoch,
        Step = c.Step,
        LearningRate = c.LearningRate,
        InitialLearningRate = c.InitialLearningRate,
        History = [.. c.History],
        Running = c.Running,
        Settings = c.Settings,
        DropoutDraws = new Dictionary<string, long>(c.DropoutDraws),
    };

    /// <summary>The JSON saved in the file's metadata.</summary>
    private sealed class Description
    {
        public int Version { get; init; }

        public int CompletedEpochs { get; init; }

        public int BatchesInEpoch { get; init; }

        public long Step { get; init; }

        public double LearningRate { get; init; }

        public double InitialLearningRate { get; init; }

        public List<EpochResult>? History { get; init; }

        public EpochTotals Running { get; init; }

        public string? Settings { get; init; }

        public Dictionary<string, long>? DropoutDraws { get; init; }
    }
}
