using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nabla.Data;
using Nabla.Tensors;
using Nabla.Serialization;

namespace Nabla.Training;

/// <summary>Checkpoint files: one safetensors file per checkpoint, <c>checkpoint-STEP.safetensors</c>, holding the
/// model state (<c>model.NAME</c>), the optimiser's buffers (<c>optimizer.NAME</c>) and, as JSON in the metadata, the
/// position, learning rates, history, random states, the run's identity and the caller's settings, with a SHA-256 of
/// all of it (<c>nabla.checksum</c>). Each file is written atomically (temporary file, flush, rename) and the older
/// ones are deleted only after it is complete, so a crash at any moment leaves the previous checkpoint readable; only
/// files of the same run are ever deleted, and never through a symbolic link. Reading treats the file as untrusted:
/// it holds data only, its checksum must match, and its values must be finite.</summary>
public static class CheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".safetensors";
    private const string MetadataKey = "nabla.checkpoint";
    private const string ChecksumKey = "nabla.checksum";
    private const string ModelPrefix = "model.";
    private const string OptimizerPrefix = "optimizer.";
    private const string CallbackPrefix = "callback.";

    // Version 2 added the checksum and the run's identity; a version 1 file has neither, so it can be neither verified
    // nor told apart from another run's, and is refused.
    private const int FormatVersion = 2;

    // A fault to inject for tests of crash safety: with NABLA_FAULT_PAUSE_CHECKPOINT=N, the N-th checkpoint written by
    // this process stops half-way through its temporary file, says so on stderr and waits, so that a test can kill it
    // mid-write. Without the variable nothing changes.
    private static readonly int PauseAtWrite = int.TryParse(Environment.GetEnvironmentVariable("NABLA_FAULT_PAUSE_CHECKPOINT"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
    private static int _writes;

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The file name of the checkpoint after <paramref name="step"/> steps.</summary>
    public static string FileName(long step) => $"{Prefix}{step.ToString("D10", CultureInfo.InvariantCulture)}{Extension}";

    /// <summary>Writes <paramref name="checkpoint"/> into <paramref name="directory"/>, then deletes, among the
    /// checkpoints of the same run (<see cref="Checkpoint.Run"/>), every one with more steps than it and all but the
    /// <paramref name="keep"/> newest of the rest, and temporary files left by an interrupted write; returns the path.
    /// Files of other runs, and files whose run cannot be read, are left alone.</summary>
    /// <remarks>A checkpoint of this run with more steps than the one just written is the future a run resumed from an
    /// older checkpoint has abandoned: kept, it would pass for the newest, and a resume would continue it.</remarks>
    /// <exception cref="IOException">The folder is a symbolic link or a file (<see cref="ThrowIfUnsafeFolder"/>).</exception>
    public static string Save(string directory, Checkpoint checkpoint, int keep = 2)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(checkpoint.Run);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        ThrowIfUnsafeFolder(directory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName(checkpoint.Step));
        var tensors = checkpoint.ModelState.Select(p => KeyValuePair.Create(ModelPrefix + p.Key, p.Value))
            .Concat(checkpoint.OptimizerState.Select(p => KeyValuePair.Create(OptimizerPrefix + p.Key, p.Value)))
            .Concat((checkpoint.CallbackState ?? new Dictionary<string, Tensor>()).Select(p => KeyValuePair.Create(CallbackPrefix + p.Key, p.Value)))
            .ToList();
        var description = JsonSerializer.Serialize(Describe(checkpoint), Json);
        var metadata = new Dictionary<string, string> { [MetadataKey] = description, [ChecksumKey] = CheckpointChecksum.Compute(description, tensors) };
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

        var own = Files(directory).Where(f => f.Run?.Id == checkpoint.Run.Id).ToList();
        foreach (var future in own.Where(c => c.Step > checkpoint.Step)) File.Delete(future.Path);
        foreach (var old in own.Where(c => c.Step <= checkpoint.Step).Skip(keep)) File.Delete(old.Path);
        foreach (var stale in Directory.EnumerateFiles(directory, $".{Prefix}*.tmp")) TryDelete(stale);
        return path;
    }

    /// <summary>Throws when <paramref name="directory"/> is a symbolic link or a file. Checkpoints go in a real folder:
    /// a link would let the deletion of old checkpoints reach files elsewhere. A folder that does not exist yet is fine.</summary>
    /// <exception cref="IOException">The folder is a symbolic link, or a file; the message names it.</exception>
    public static void ThrowIfUnsafeFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var info = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (info.LinkTarget is { } target)
            throw new IOException($"{directory}: the checkpoint folder is a symbolic link (to {target}); give a real folder, so that removing old checkpoints cannot reach files elsewhere");
        if (File.Exists(info.FullName)) throw new IOException($"{directory}: the checkpoint folder is a file, not a folder");
    }

    /// <summary>The checkpoint files of <paramref name="directory"/>, newest (most steps) first, each with the run its
    /// header records; null where the header cannot be read or records none. Only the headers are read.</summary>
    public static IReadOnlyList<(string Path, long Step, RunIdentity? Run)> Files(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) return [];
        return [.. List(directory).Select(f => (f.Path, f.Step, RunOf(f.Path)))];
    }

    /// <summary>The run a checkpoint file's header records, or null when it cannot be read.</summary>
    private static RunIdentity? RunOf(string path)
    {
        try
        {
            var run = SafeTensors.ReadMetadata(path).TryGetValue(MetadataKey, out var text) ? JsonSerializer.Deserialize<Description>(text, Json)?.Run : null;
            return IsWellFormed(run) ? run : null;
        }
        catch (Exception e) when (e is DataFormatException or JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/> that reads back whole, or null when there is none.
    /// A newer file that cannot be read or fails its checksum is passed over for the one before; each one passed over
    /// is reported to <paramref name="skipped"/> (with the reason in the exception's message), so that the caller can
    /// say which file was skipped and why. The one before must be of the same run as the newest whose identity reads:
    /// falling back to another run's checkpoint would continue a run the caller did not ask for.</summary>
    /// <exception cref="DataFormatException">Checkpoint files exist but none can be read; the message gives the newest's
    /// problem (and <paramref name="skipped"/> is not called).</exception>
    public static Checkpoint? LoadLatest(string directory, Action<DataFormatException>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) return null;
        var problems = new List<DataFormatException>();
        string? runId = null;   // the run of the newest file whose identity reads: a fallback must be of the same run
        foreach (var (path, _) in List(directory))
        {
            runId ??= RunOf(path)?.Id;
            try
            {
                var checkpoint = Load(path);
                if (runId is not null && checkpoint.Run.Id != runId)
                    throw new DataFormatException($"{path}: a checkpoint of another run ({checkpoint.Run}), not of run {runId[..Math.Min(8, runId.Length)]}, whose newer checkpoint was skipped");
                foreach (var problem in problems) skipped?.Invoke(problem);
                return checkpoint;
            }
            catch (DataFormatException e)
            {
                problems.Add(e);
            }
        }

        return problems.Count == 0 ? null : throw problems[0];
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

        if (d is null || d.Version != FormatVersion)
        {
            throw new DataFormatException(d?.Version == 1
                ? $"{path}: the checkpoint was written by an earlier Nabla (format 1, without a checksum or run identity) and cannot be verified; start the run again"
                : $"{path}: checkpoint format version {d?.Version} is not supported ({FormatVersion})");
        }

        if (!metadata.TryGetValue(ChecksumKey, out var stored))
            throw new DataFormatException($"{path}: the checkpoint has no \"{ChecksumKey}\" metadata, so its contents cannot be verified");
        if (stored != CheckpointChecksum.Compute(text, tensors))
            throw new DataFormatException($"{path}: the checkpoint's contents do not match its {CheckpointChecksum.Algorithm} checksum (the file is damaged)");
        if (!IsWellFormed(d.Run)) throw new DataFormatException($"{path}: the checkpoint does not record its run's identity");
        if (d.CompletedEpochs < 0 || d.BatchesInEpoch < 0 || d.Step < 0 || !(d.LearningRate > 0) || !double.IsFinite(d.LearningRate)
            || !(d.InitialLearningRate > 0) || !double.IsFinite(d.InitialLearningRate) || d.History is null || d.History.Count != d.CompletedEpochs
            || d.History.Any(e => e is null) || !double.IsFinite(d.Running.LossSum)
            || d.Running.Seen < 0 || d.Running.Correct < 0 || d.Running.Correct > d.Running.Seen || d.CountersOrLegacy() is not { } counters || counters.Values.Any(v => v < 0))
            throw new DataFormatException($"{path}: the checkpoint's position, learning rates or history are inconsistent");

        var model = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var callbacks = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            // A run that went non-finite saves no checkpoint, so NaN or ∞ here was written by something else.
            if (tensor.HasNonFinite()) throw new DataFormatException($"{path}: tensor '{name}' holds NaN or infinite values");
            if (name.StartsWith(ModelPrefix, StringComparison.Ordinal)) model[name[ModelPrefix.Length..]] = tensor;
            else if (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) optimizer[name[OptimizerPrefix.Length..]] = tensor;
            else if (name.StartsWith(CallbackPrefix, StringComparison.Ordinal)) callbacks[name[CallbackPrefix.Length..]] = tensor;
            else throw new DataFormatException($"{path}: tensor '{name}' is neither model, optimizer nor callback state");
        }

        return new Checkpoint(path, d.CompletedEpochs, d.BatchesInEpoch, d.Step, d.LearningRate, d.InitialLearningRate, d.History,
            d.Running, d.Settings, model, optimizer, counters, d.Run, callbacks, d.StoppedEarly);
    }

    /// <summary>Whether a run identity read from a file is complete and fit to be shown in a message: an id of ASCII
    /// letters and digits, and names without control characters (which could drive the terminal) of bounded length.</summary>
    private static bool IsWellFormed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] RunIdentity? run) =>
        run is { Id: { Length: > 0 and <= 64 } id, Dataset: { Length: <= 1000 } dataset, Architecture: { Length: <= 1000 } architecture }
        && id.All(char.IsAsciiLetterOrDigit) && !dataset.Any(char.IsControl) && !architecture.Any(char.IsControl);

    /// <summary>The checkpoint files of <paramref name="directory"/>, newest (most steps) first.</summary>
    private static List<(string Path, long Step)> List(string directory) =>
        [.. Directory.EnumerateFiles(directory, $"{Prefix}*{Extension}")
            .Select(p => (Path: p, Step: StepOf(p)))
            .Where(f => f.Step >= 0)
            .OrderByDescending(f => f.Step)];

    /// <summary>The step a checkpoint file's name gives, or −1 for a name that is not <see cref="FileName"/>'s.</summary>
    private static long StepOf(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step) ? step : -1;

    /// <summary>The step of the newest checkpoint file in <paramref name="directory"/> of the run
    /// <paramref name="runId"/> (from the headers; the tensors are not read), or null when there is none: for messages
    /// that say where a run stopped, which must never point at another run's checkpoint.</summary>
    public static long? NewestStep(string directory, string runId) =>
        Files(directory).FirstOrDefault(f => f.Run?.Id == runId) is { Path: not null } newest ? newest.Step : null;

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
        Counters = new Dictionary<string, long>(c.Counters),
        Run = c.Run,
        StoppedEarly = c.StoppedEarly,
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

        public Dictionary<string, long>? Counters { get; init; }

        /// <summary>What checkpoints written before counters were registered state kept instead: the draws of each
        /// dropout layer by module path. Read only: never written.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Dictionary<string, long>? DropoutDraws { get; init; }

        /// <summary>The counters, from <see cref="Counters"/> or from an older file's <see cref="DropoutDraws"/> (each
        /// layer's count is its <c>draws</c> counter).</summary>
        public Dictionary<string, long>? CountersOrLegacy() =>
            Counters ?? DropoutDraws?.ToDictionary(d => d.Key.Length == 0 ? "draws" : $"{d.Key}.draws", d => d.Value, StringComparer.Ordinal);

        public RunIdentity? Run { get; init; }

        public bool StoppedEarly { get; init; }
    }
}
