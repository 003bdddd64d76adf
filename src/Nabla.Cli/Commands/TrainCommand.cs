using System.CommandLine;
using System.Globalization;
using Nabla.Cuda;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Serialization;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla train</c>: trains an L-hidden-layer network, printing one line per epoch, and saves it.
/// With no options it trains the default network on the embedded digits.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "digits (embedded) or fashion-mnist; a CSV file is given with --data", DefaultValueFactory = _ => DatasetChoice.Digits };
        var data = new Option<string?>("--data") { Description = "a CSV file (one label column, numeric features; 80/20 stratified split, standardised), or the folder of fashion-mnist's files (default " + Data.Datasets.FashionMnist.DefaultDirectory + ")" };
        var labelColumn = new Option<string?>("--label-column") { Description = "with a CSV file: the label column, by header name or 0-based index [default: the last column]" };
        var classes = NumericOptions.Int("--classes", "with a CSV file: how many classes the label column holds, to train on one with more than min(50, rows/5) distinct values or with non-integer numbers (refused otherwise, as a measurement rather than a class)");
        var hidden = new Option<string?>("--hidden") { Description = "hidden layer widths, comma-separated (e.g. 512,256; 'none' for a linear model) [preset: digits 256, fashion-mnist 512,256, CSV 64]" };
        var activation = new Option<string?>("--activation") { Description = "relu, tanh, sigmoid, leaky-relu, elu, silu, softplus or gelu [default: relu]" };
        var architecture = new Option<string?>("--model") { Description = "the network as a description instead of --hidden/--activation, e.g. conv32k3p1-relu-pool2-flatten-fc10 (README: Architectures)" };
        var loss = new Option<string>("--loss") { Description = "cross-entropy (softmax), mse, hinge, bce or huber", DefaultValueFactory = _ => "cross-entropy" };
        var labelSmoothing = NumericOptions.Double("--label-smoothing", "ε of label smoothing for the cross-entropy loss, in [0, 1) [default: 0]");
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, adam, adamw, rmsprop or adagrad", DefaultValueFactory = _ => "sgd" };
        var clipNorm = NumericOptions.Double("--clip-norm", "clip the gradients' joint L2 norm to this before each update [default: no clipping]");
        var schedule = new Option<string?>("--schedule") { Description = "learning-rate schedule: constant, cosine, step, exponential, onecycle or plateau [preset: digits cosine, fashion-mnist constant, CSV cosine]" };
        var warmup = NumericOptions.Int("--warmup", "epochs of linear warm-up before the cosine schedule [default: 0]");
        var earlyStopping = NumericOptions.Int("--early-stopping", "stop after this many epochs without a better validation loss (a stratified 10% of the training data, held out; never the test set), and keep the best epoch's weights");
        var csv = new Option<string?>("--log-csv") { Description = "write one CSV row per epoch to this file" };
        var json = new Option<string?>("--log-json") { Description = "write one JSON object per epoch (JSON Lines) to this file" };
        var plots = new Option<bool>("--plots") { Description = "write PNG pictures next to the model: loss and accuracy curves, the test confusion matrix, the first layer's weights" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "no live progress bar: one plain line per epoch (also the case when output is redirected)" };
        var sanity = new Option<bool>("--sanity") { Description = "run the lecture's sanity checks (initial loss ≈ ln C, overfit 20 examples, update/weight ratios) instead of training" };
        var lr = NumericOptions.Double("--lr", "learning rate η [preset: sgd 0.1 on digits, 0.05 on fashion-mnist and CSV; adam and adamw 0.001; rmsprop and adagrad 0.01]");
        var momentum = NumericOptions.Double("--momentum", "SGD momentum μ [preset: 0.9]");
        var nesterov = new Option<bool>("--nesterov") { Description = "use Nesterov momentum" };
        var l2 = NumericOptions.Double("--l2", "λ of the L2 penalty λ·Σ W² on weights [preset: digits 1e-4, fashion-mnist 0, CSV 1e-4]");
        var l1 = NumericOptions.Double("--l1", "λ of the L1 penalty λ·Σ |W| on weights [default: 0]");
        var epochs = NumericOptions.Int("--epochs", "passes over the training data [preset: digits 40, fashion-mnist 10, CSV 50]");
        var batchSize = NumericOptions.Int("--batch-size", "examples per mini-batch [preset: digits 16, fashion-mnist 128, CSV 32]");
        var seed = NumericOptions.Int("--seed", "seeds initialisation and shuffling [default: 0]");
        var threads = NumericOptions.Int("--threads", "threads for the kernels (default: all cores)");
        var output = new Option<string?>("--out") { Description = "folder to save the model in (default runs/DATASET); checkpoints go to its checkpoints/ folder" };
        var checkpointEvery = NumericOptions.Int("--checkpoint-every", "also save a checkpoint every N steps within an epoch [default: 0, at epoch ends only]");
        var resume = new Option<string?>("--resume") { Description = "continue the run saved in this folder (its --out) from its last checkpoint, with its options; only --threads and --quiet may be given with it" };
        var verbose = new Option<bool>("--verbose") { Description = "after training, say how the steps ran (captured and replayed, or eager) and the bytes they allocated" };
        var syncBn = new Option<bool>("--sync-bn") { Description = "under mpirun: batch norm normalises with the statistics of the whole global batch, summed across the ranks in every step, so that N ranks train as one process (default: each rank's own rows)" };
        var device = new Option<string?>("--device") { Description = "where to train: cpu; cuda, an NVIDIA GPU (refused, with what is missing, when none is usable); auto, the GPU when one is usable, else the CPU, saying why [default: cpu]" };
        var overwrite = new Option<bool>("--overwrite") { Description = "start a new run in an --out folder that holds an earlier run's checkpoints, removing them (without it, such a run is refused)" };

        var command = new Command("train", "Train a network with L hidden layers and save it")
        {
            dataset, data, labelColumn, classes, hidden, activation, architecture, loss, labelSmoothing, optimizer, clipNorm, warmup, earlyStopping, csv, json, quiet, plots, sanity, schedule, lr, momentum, nesterov, l2, l1, epochs, batchSize, seed, threads, output, checkpointEvery, resume, overwrite, verbose, syncBn, device,
        };
        command.SetAction(result => RankLaunch.Run(Console.Error, group =>
        {
            var resumeDirectory = result.GetValue(resume);
            if (resumeDirectory is null)
            {
                var arguments = Given(result);
                var fresh = Settings(arguments);
                string stored = System.Text.Json.JsonSerializer.Serialize(arguments.ForCheckpoint(fresh.OutputDirectory), TrainArguments.Json);
                return Run(fresh with { CommandLine = stored, Overwrite = result.GetValue(overwrite), Verbose = result.GetValue(verbose), SyncBatchNorm = arguments.SyncBn, Device = DeviceChoice.Resolve(arguments.Device) }, Console.Out, group);
            }

            // A resumed run takes its options from the checkpoint: the same network, data, optimiser and seed.
            var given = command.Options.Where(o => o != resume && o != threads && o != quiet && o != verbose && o != device && result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 0) throw new UsageException($"--resume continues a run with its own options: leave out {string.Join(", ", given)} (only --threads, --device, --quiet and --verbose may change)");
            var checkpoints = Path.Combine(resumeDirectory, CheckpointFolder);
            if (!Directory.Exists(resumeDirectory)) throw new UsageException($"--resume: folder '{resumeDirectory}' does not exist");
            ThrowIfUnsafeCheckpointFolder("--resume", checkpoints);
            var checkpoint = CheckpointStore.LoadLatest(checkpoints, skipped => Console.Error.WriteLine($"nabla: warning: skipped {CommandRunner.OneLine(skipped.Message)}; resuming from an older checkpoint"))
                ?? throw new UsageException($"--resume: '{resumeDirectory}' holds no checkpoint (in {checkpoints})");
            var original = SavedOptions(checkpoint);
            var settings = Settings(original) with
            {
                OutputDirectory = resumeDirectory,
                CommandLine = checkpoint.Settings,
                ResumeFrom = checkpoint,
                RunId = checkpoint.Run.Id,
                Verbose = result.GetValue(verbose),
                SyncBatchNorm = original.SyncBn,
                Device = DeviceChoice.Resolve(result.GetValue(device) ?? original.Device),
                LiveProgress = !result.GetValue(quiet) && !original.Quiet && TrainingProgress.TerminalIsLive,
            };
            if (result.GetValue(threads) is { } t) settings = settings with { Threads = OptionParsing.Threads(t, Console.Error) };
            return Run(settings, Console.Out, group);
        }));
        return command;

        // The options as given, typed: what the run is built from, and (paths made absolute) what its checkpoints keep.
        TrainArguments Given(ParseResult r) => new()
        {
            Dataset = r.GetResult(dataset) is { Implicit: false } ? r.GetValue(dataset) : null,
            Data = r.GetValue(data),
            LabelColumn = r.GetValue(labelColumn),
            Classes = r.GetValue(classes),
            Hidden = r.GetValue(hidden),
            Activation = r.GetValue(activation),
            Model = r.GetValue(architecture),
            Loss = r.GetValue(loss),
            LabelSmoothing = r.GetValue(labelSmoothing),
            Optimizer = r.GetValue(optimizer),
            ClipNorm = r.GetValue(clipNorm),
            Warmup = r.GetValue(warmup),
            EarlyStopping = r.GetValue(earlyStopping),
            LogCsv = r.GetValue(csv),
            LogJson = r.GetValue(json),
            Plots = r.GetValue(plots),
            Quiet = r.GetValue(quiet),
            Sanity = r.GetValue(sanity),
            Schedule = r.GetValue(schedule),
            LearningRate = r.GetValue(lr),
            Momentum = r.GetValue(momentum),
            Nesterov = r.GetValue(nesterov),
            L2 = r.GetValue(l2),
            L1 = r.GetValue(l1),
            Epochs = r.GetValue(epochs),
            BatchSize = r.GetValue(batchSize),
            Seed = r.GetValue(seed),
            Threads = r.GetValue(threads),
            Out = r.GetValue(output),
            CheckpointEvery = r.GetValue(checkpointEvery),
            SyncBn = r.GetValue(syncBn),
            Device = r.GetValue(device),
        };

        // A checkpoint's run description; one written before descriptions were typed holds the command line's tokens
        // (a JSON array), parsed here once more.
        TrainArguments SavedOptions(Checkpoint checkpoint)
        {
            if (checkpoint.Settings is { } text && text.TrimStart().StartsWith('['))
            {
                var parsed = command.Parse(SavedArguments(checkpoint));
                if (parsed.Errors.Count > 0) throw new Data.DataFormatException($"{checkpoint.Path}: the run's saved options do not parse ({parsed.Errors[0].Message})");
                return Given(parsed);
            }

            // Only a whole record will do: text another caller saved (any JSON object) must not resume with defaults.
            TrainArguments? saved;
            try
            {
                saved = System.Text.Json.JsonSerializer.Deserialize<TrainArguments>(checkpoint.Settings ?? "null", TrainArguments.Json);
            }
            catch (System.Text.Json.JsonException)
            {
                saved = null;
            }

            return saved is { Out: not null }
                ? saved
                : throw new Data.DataFormatException($"{checkpoint.Path}: the checkpoint does not record the options of a nabla train run");
        }

        TrainSettings Settings(TrainArguments given)
        {
            var dataPath = given.Data;
            bool csvData = DatasetChoice.IsCsvFile(dataPath);
            if (csvData && given.Dataset is not null)
                throw new UsageException("--dataset names a built-in dataset: leave it out when --data is a CSV file");
            if (!csvData && given.LabelColumn is not null) throw new UsageException("--label-column goes with --data FILE.csv");
            if (!csvData && given.Classes is not null) throw new UsageException("--classes goes with --data FILE.csv");
            var datasetName = csvData ? DatasetChoice.Csv : DatasetChoice.Validate(given.Dataset ?? DatasetChoice.Digits);
            var preset = TrainPreset.For(datasetName);
            var optimizerName = (given.Optimizer ?? "sgd").ToLowerInvariant();
            if (optimizerName is not ("sgd" or "adam" or "adamw" or "rmsprop" or "adagrad"))
                throw new UsageException($"--optimizer: unknown optimizer '{optimizerName}' (expected sgd, adam, adamw, rmsprop or adagrad)");
            var description = given.Model;
            if (description is not null && (given.Hidden is not null || given.Activation is not null))
                throw new UsageException("--model describes the whole network: leave out --hidden and --activation");
            var settings = new TrainSettings(
                datasetName,
                dataPath,
                given.LabelColumn,
                given.Classes is { } classCount ? OptionParsing.AtLeast(classCount, 2, "--classes") : null,
                OptionParsing.ParseHidden(given.Hidden ?? preset.Hidden),
                OptionParsing.Parse(given.Activation ?? "relu", "--activation", ActivationExtensions.Parse),
                description,
                WithSmoothing(OptionParsing.Parse(given.Loss ?? "cross-entropy", "--loss", Loss.Parse), given.LabelSmoothing),
                optimizerName,
                OptionParsing.Positive(given.LearningRate ?? TrainPreset.LearningRate(optimizerName, preset), "--lr"),
                MomentumInRange(given.Momentum ?? preset.Momentum),
                given.Nesterov,
                OptionParsing.NonNegative(given.L2 ?? preset.L2, "--l2"),
                OptionParsing.NonNegative(given.L1 ?? 0, "--l1"),
                OptionParsing.AtLeast(given.Epochs ?? preset.Epochs, 1, "--epochs"),
                ParseSchedule(given.Schedule, given.Warmup, given.Epochs ?? preset.Epochs) ?? preset.Schedule,
                OptionParsing.AtLeast(given.BatchSize ?? preset.BatchSize, 1, "--batch-size"),
                given.Seed ?? 0,
                OptionParsing.Threads(given.Threads, Console.Error),
                given.Out ?? Path.Combine("runs", csvData ? Path.GetFileNameWithoutExtension(dataPath!) : datasetName),
                given.ClipNorm is { } clip ? OptionParsing.Positive(clip, "--clip-norm") : null,
                given.Sanity,
                given.EarlyStopping is { } patience ? OptionParsing.AtLeast(patience, 1, "--early-stopping") : null,
                given.LogCsv,
                given.LogJson,
                !given.Quiet && TrainingProgress.TerminalIsLive,
                given.Plots,
                OptionParsing.AtLeast(given.CheckpointEvery ?? 0, 0, "--checkpoint-every"));
            return settings;
        }
    }

    /// <summary>The arguments of the run that saved <paramref name="checkpoint"/>, as <c>StoredArguments</c> wrote them
    /// into its settings: a JSON array of strings. A checkpoint saved from C# holds whatever text its caller chose.</summary>
    private static string[] SavedArguments(Checkpoint checkpoint)
    {
        string[]? arguments;
        try
        {
            arguments = System.Text.Json.JsonSerializer.Deserialize<string[]>(checkpoint.Settings ?? "null");
        }
        catch (System.Text.Json.JsonException)
        {
            arguments = null;
        }

        if (arguments is null || arguments.Any(a => a is null))
            throw new Data.DataFormatException($"{checkpoint.Path}: the checkpoint does not record the options of a nabla train run");
        return arguments;
    }

    /// <summary>The folder of a run's checkpoints, inside its --out folder.</summary>
    public const string CheckpointFolder = "checkpoints";

    /// <summary>Refuses, before any data is read, an --out folder that cannot hold the run's results: a file, a folder
    /// that cannot be written, a checkpoint folder that is a symbolic link, and, for a new run without --overwrite, a
    /// checkpoint folder holding another run's checkpoints.</summary>
    private static void PrepareOutput(TrainSettings s)
    {
        try
        {
            AtomicFile.EnsureWritableFolder(s.OutputDirectory);
        }
        catch (IOException e)
        {
            throw new UsageException($"--out: {e.Message}");
        }

        var checkpoints = Path.Combine(s.OutputDirectory, CheckpointFolder);
        ThrowIfUnsafeCheckpointFolder("--out", checkpoints);
        if (s.ResumeFrom is not null) return;   // a resumed run continues among its own checkpoints
        var earlier = CheckpointStore.Files(checkpoints);
        if (earlier.Count == 0) return;
        if (s.Overwrite) return;   // removed by RemoveEarlierRun, once every other check has passed
        var (path, _, run) = earlier[0];
        string whose = run is null ? $"a checkpoint whose run cannot be read ({Path.GetFileName(path)})" : $"the checkpoints of {run}";
        throw new UsageException($"--out: '{s.OutputDirectory}' holds {whose}; continue that run with --resume {s.OutputDirectory} if it did not finish, give another --out, or add --overwrite to replace it");
    }

    /// <summary>With --overwrite, removes the checkpoints an earlier run left in --out, said in one line. Called just
    /// before training starts, after the data, the network and the memory were checked, so that a run refused for any
    /// reason leaves the earlier run as it was.</summary>
    private static void RemoveEarlierRun(TrainSettings s, TextWriter output)
    {
        if (!s.Overwrite || s.ResumeFrom is not null) return;
        var checkpoints = Path.Combine(s.OutputDirectory, CheckpointFolder);
        var earlier = CheckpointStore.Files(checkpoints);
        if (earlier.Count == 0) return;
        foreach (var (path, _, _) in earlier) File.Delete(path);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--overwrite: removed {earlier.Count} checkpoint(s) of an earlier run from {checkpoints}"));
    }

    private static void ThrowIfUnsafeCheckpointFolder(string option, string checkpoints)
    {
        try
        {
            CheckpointStore.ThrowIfUnsafeFolder(checkpoints);
        }
        catch (IOException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>The parameters and buffers a --model description would hold, counted without building it.</summary>
    private static long CheckDescribed(string description, int[] exampleShape)
    {
        try
        {
            return Architecture.Check(description, exampleShape).StateElements;
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--model: {e.Message}");
        }
    }

    /// <summary>The network of a --model description, checked against the dataset before its files are read.</summary>
    private static Sequential BuildDescribed(string description, int[] exampleShape, string dataset, int classes, int seed)
    {
        (Sequential Model, int[] OutputShape) built;
        try
        {
            built = Architecture.Build(description, exampleShape, new Random(seed));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--model: {e.Message}");
        }

        if (built.OutputShape is not [int outputs] || outputs != classes)
        {
            throw new UsageException(
                $"--model: the network ends with {string.Join("×", built.OutputShape)} outputs, but {dataset} has {classes} classes (end with fc{classes})");
        }

        return built.Model;
    }

    private static Loss WithSmoothing(Loss loss, double? smoothing)
    {
        if (smoothing is null) return loss;
        if (loss is not CrossEntropyLoss) throw new UsageException("--label-smoothing goes with the cross-entropy loss");
        if (!(smoothing >= 0 && smoothing < 1))
            throw new UsageException($"--label-smoothing must be in [0, 1), not {smoothing.Value.ToString(CultureInfo.InvariantCulture)}");
        return new CrossEntropyLoss(smoothing.Value);
    }

    /// <summary>The schedule named on the command line; each has fixed settings, documented in the README.</summary>
    private static LearningRateSchedule? ParseSchedule(string? text, int? warmup, int epochs)
    {
        if (warmup is not null && text?.ToLowerInvariant() != "cosine") throw new UsageException("--warmup goes with --schedule cosine");
        return text?.ToLowerInvariant() switch
        {
            null => null,
            "constant" => LearningRateSchedule.Constant,
            "cosine" => LearningRateSchedule.Cosine(OptionParsing.AtLeast(warmup ?? 0, 0, "--warmup")),
            "step" => LearningRateSchedule.Step(Math.Max(1, epochs / 3)),
            "exponential" => LearningRateSchedule.Exponential(0.9),
            "onecycle" or "one-cycle" => LearningRateSchedule.OneCycle,
            "plateau" => LearningRateSchedule.ReduceOnPlateau(),
            _ => throw new UsageException($"--schedule: unknown schedule '{text}' (expected constant, cosine, step, exponential, onecycle or plateau)"),
        };
    }

    private static double MomentumInRange(double value)
    {
        if (!(value >= 0 && value < 1)) throw new UsageException($"--momentum must be in [0, 1), not {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>Trains as <paramref name="s"/> says, printing to <paramref name="output"/>. With a
    /// <paramref name="group"/> of several ranks (mpirun), this process is one rank of a data-parallel run: rank 0
    /// prints, logs, draws and saves; the other ranks train in silence.</summary>
    public static int Run(TrainSettings s, TextWriter output, IProcessGroup? group = null)
    {
        int ranks = group?.Size ?? 1;
        if (group is { Rank: not 0 })
        {
            output = TextWriter.Null;
            s = s with { LiveProgress = false, CsvLog = null, JsonLog = null, Plots = false, Verbose = false };
        }

        bool saves = group is null or { Rank: 0 };
        if (s.Device.OnGpu)
        {
            // What the GPU cannot do yet: refused for --device cuda, the CPU instead (and why) for --device auto.
            var (reason, refusal) = ranks > 1 ? ("training on GPUs across mpirun's ranks is not supported yet", "--device cuda: training on GPUs across mpirun's ranks is not supported yet (run one process, or --device cpu)")
                : s.Sanity ? ("--sanity runs its checks on the CPU", "--sanity runs its checks on the CPU: leave out --device cuda")
                : s.Optimizer is "rmsprop" or "adagrad" ? ($"--optimizer {s.Optimizer} updates on the CPU only", $"--optimizer {s.Optimizer} updates on the CPU only: on the GPU use sgd, adam or adamw")
                : (null, null);
            if (refusal is not null && !s.Device.Auto) throw new UsageException(refusal);
            if (reason is not null) s = s with { Device = DeviceChoice.OnCpuInstead(s.Device, reason) };
        }
        using var threadLimit = Parallelism.Limit(s.Threads);
        if (!s.Sanity) PrepareOutput(s);   // a sanity check saves nothing
        // A CSV file is read first: its width and classes are known only then. A named dataset's are known, so a bad
        // --model is reported before a large dataset is read.
        var table = s.Dataset == DatasetChoice.Csv ? CsvDataset.LoadSplit(s.DataDirectory!, s.LabelColumn, Data.Datasets.Digits.TestFraction, s.Seed, s.Classes) : default;
        var exampleShape = table.Train is not null ? [table.Train.FeatureCount] : DatasetChoice.ExampleShape(s.Dataset);
        int classes = table.Train?.Classes ?? DatasetChoice.Dimensions(s.Dataset).Classes;
        if (s.Architecture is not null) RunMemory.CheckDescribedFits(s, exampleShape, CheckDescribed(s.Architecture, exampleShape));
        Sequential? described = s.Architecture is null ? null : BuildDescribed(s.Architecture, exampleShape, s.Dataset, classes, s.Seed);
        var memory = RunMemory.Check(s, exampleShape.Aggregate(1, (a, d) => a * d), classes, described, (table.Train, table.Test));
        // The data may take what the rest of the run leaves: a file whose header claims more is refused before decoding.
        long dataBudget = AvailableMemory.Query().Bytes - (memory.Total - memory.Dataset);
        var (train, test) = table.Train is not null ? (table.Train, table.Test) : DatasetChoice.Load(s.Dataset, s.DataDirectory, dataBudget);
        Module CreateModel() => s.Architecture is not null
            ? BuildDescribed(s.Architecture, exampleShape, s.Dataset, classes, s.Seed)
            : new Mlp(new MlpSpec(train.FeatureCount, s.Hidden, train.Classes, s.Activation), s.Seed);
        Optimizer CreateOptimizer(Module m) => s.Optimizer switch
        {
            "adam" => new Adam(m.Parameters(), s.LearningRate),
            "adamw" => new AdamW(m.Parameters(), s.LearningRate),
            "rmsprop" => new RmsProp(m.Parameters(), s.LearningRate),
            "adagrad" => new Adagrad(m.Parameters(), s.LearningRate),
            _ => new Sgd(m.Parameters(), s.LearningRate, s.Momentum, s.Nesterov),
        };

        if (s.Sanity)
        {
            // The lecture's checks instead of training: fresh networks, nothing saved.
            var report = SanityChecks.Run(CreateModel, s.Loss, CreateOptimizer, train, s.BatchSize);
            output.WriteLine(report);
            return report.Passed ? CommandRunner.Success : CommandRunner.Failure;
        }

        Module model = described is not null ? described : CreateModel();
        var optimizer = CreateOptimizer(model);

        // On a GPU the model moves there in place (the optimiser keeps its tensors); the data follows below when it fits.
        GpuDevice? started;
        try
        {
            started = DeviceChoice.Start(s.Device);
        }
        catch (UsageException e) when (s.Device.Auto)
        {
            started = null;   // found, but it would not start: --device auto trains on the CPU and says why
            s = s with { Device = DeviceChoice.OnCpuInstead(s.Device, e.Message) };
        }

        using var gpu = started;
        if (gpu is not null) model.To(Tensors.Device.Cuda);
        var regularizers = new List<Regularizer>();
        if (s.L2 > 0) regularizers.Add(new L2Regularizer(s.L2));
        if (s.L1 > 0) regularizers.Add(new L1Regularizer(s.L1));

        // The run (TrainingRun) watches a validation split when early stopping or reduce-on-plateau needs one, keeps its
        // checkpoints next to the model (every epoch's end and every --checkpoint-every steps), and turns a first Ctrl-C
        // into one more checkpoint and a clean exit.
        // The gradient sum overlaps the backward pass on a thread of its own only where a core is left for it: on cores
        // all busy with kernels it slows a step down (BENCHMARKS.md, 2026-12-07: W1 0.25×, W4 0.8×).
        bool overlap = group is { CallableFromAnyThread: true } && !s.SyncBatchNorm && OptionParsing.CoresPerRank() > s.Threads;
        var trainer = new Trainer(model, s.Loss, optimizer, regularizers) { ClipGradientNorm = s.ClipNorm, ProcessGroup = group, SyncBatchNorm = s.SyncBatchNorm, OverlapGradientSum = overlap };
        var checkpoints = Path.Combine(s.OutputDirectory, CheckpointFolder);
        var run = new TrainingRun(trainer, new TrainingRunOptions(new TrainingOptions(s.Epochs, s.BatchSize, s.Seed, Schedule: s.Schedule))
        {
            EarlyStoppingPatience = s.EarlyStopping,
            CheckpointDirectory = checkpoints,
            CheckpointEvery = s.CheckpointEvery,
            Settings = s.CommandLine,
            RunId = s.RunId,
            HandleCtrlC = true,
            DataName = table.Train is not null ? s.DataDirectory : s.Dataset,
            ValidationReason = s.EarlyStopping is not null ? "--early-stopping" : "--schedule plateau",
        });

        // Split before anything is written: a set too small to hold out any row is refused like any other data error.
        var data = run.Prepare(train, test);
        bool watchesTest = ReferenceEquals(data.Watched, test);

        // On a GPU the data moves there too when it fits, as PyTorch users keep theirs: batches are then gathered on the
        // GPU, not copied from the host each step.
        long dataBytes = ((long)data.Fit.Features.Count + data.Watched.Features.Count) * Tensors.DTypeExtensions.ElementSize(data.Fit.Features.DType);
        bool dataOnGpu = gpu is not null && gpu.HoldsData(dataBytes);
        if (dataOnGpu) data = data with { Fit = data.Fit.To(Tensors.Device.Cuda), Watched = data.Watched.To(Tensors.Device.Cuda) };
        if (saves) RemoveEarlierRun(s, output);

        // The estimate counted the built-in datasets at their usual size; the banner gives what was really read.
        memory = memory with { Dataset = RunMemory.DatasetBytes(train, test) };
        string name = s.Architecture ?? model.Describe();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {model.ParameterCount():N0} parameters; {(table.Train is not null ? s.DataDirectory : s.Dataset)} {train.Count} train / {test.Count} test; {s.Loss.Name} loss, {s.Optimizer} lr {s.LearningRate} ({s.Schedule.Name}), batch {s.BatchSize}, {(ranks > 1 ? $"{ranks} ranks × {s.Threads} thread(s){(s.SyncBatchNorm ? ", batch norm synchronised" : "")}{(overlap ? ", gradients summed during the backward pass" : "")}" : $"{s.Threads} thread(s)")}{(s.Device.Note is { } where ? $" {where}" : "")}{(dataOnGpu ? ", data on the GPU" : "")}; memory ≈ {AvailableMemory.Format(memory.Total)}"));
        var callbacks = new List<ITrainingCallback> { new TrainingProgress(output, s.LiveProgress, s.Epochs, data.WatchedName) };
        if (s.CsvLog is not null) callbacks.Add(new CsvLogger(s.CsvLog));
        using var jsonLog = s.JsonLog is null ? null : new JsonLinesLogger(s.JsonLog);
        if (jsonLog is not null) callbacks.Add(jsonLog);
        if (s.ResumeFrom is { } from)
            output.WriteLine($"resuming from {from.Path}: epoch {from.CompletedEpochs + 1}, batch {from.BatchesInEpoch}, step {from.Step}");
        TrainingRunResult result;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true), transfersBefore = Cuda.HostTransfers.Count;
        try
        {
            result = run.Run(data, callbacks, s.ResumeFrom);
        }
        catch (Exception) when (s.LiveProgress)
        {
            output.WriteLine();   // the error goes on a line of its own, not after the bar
            throw;
        }

        if (result.Interrupted)
        {
            output.WriteLine();
            output.WriteLine($"interrupted: checkpoint saved at step {result.NewestCheckpointStep} in {checkpoints}; continue with: nabla train --resume {s.OutputDirectory}");
            return CommandRunner.Interrupted;
        }

        var history = result.History!;
        if (s.Verbose && trainer.Steps > 0)
        {
            // Every thread's allocations, the evaluation after each epoch included: what a user sees the GC do.
            long perStep = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / trainer.Steps;
            var captured = trainer.CapturedStep;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steps: {trainer.Steps}, {captured.ReplayedSteps} replayed from {captured.CapturesMade} captures, {captured.EagerSteps} eager; {perStep} B allocated per step (evaluation included)"));
            if (captured.NotCapturedReason is { } reason) output.WriteLine($"not captured: {reason}");
            if (gpu is not null)
            {
                // A replayed step makes three copies (its batch, or with the data on the GPU its row indices; its
                // labels; its readout), and waits for the GPU once, at the readout.
                double perStepCopies = (double)(Cuda.HostTransfers.Count - transfersBefore) / trainer.Steps;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host↔device copies: {perStepCopies:F1} per step (evaluation included)"));
            }
        }

        if (result.BestEpoch is { } best)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"early stopping: kept the weights of epoch {best} (the lowest validation loss)"));

        // Training watched the test set, or a validation split: then the test set is scored now, once.
        double? accuracy = watchesTest ? history.Last.ValidationAccuracy : Evaluator.Evaluate(model, test, s.Loss).Accuracy;
        if (gpu is not null) model.To(Tensors.Device.Cpu);   // saved, and drawn, from the host

        string savedName = table.Train is not null ? DatasetChoice.Csv : s.Dataset;
        if (saves) ModelStore.Save(s.OutputDirectory, model, s.Loss.Name, savedName, train.ClassNames, table.Schema);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {100 * accuracy:F2}%; model saved to {s.OutputDirectory}"));
        if (s.Plots) output.WriteLine(TrainingPlots.Write(s.OutputDirectory, history.Epochs, data.WatchedName, Evaluator.Evaluate(model, test, s.Loss), model, exampleShape));
        return CommandRunner.Success;
    }
}
