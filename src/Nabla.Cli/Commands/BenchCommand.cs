using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Nabla.Cli.Benchmarks;
using Nabla.Data;
using Nabla.LinearAlgebra;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla bench W1|W2|W3|W4|W5|W6</c>: the end-to-end workloads of DESIGN.md, each run several times in this
/// process, with every run's figure and the median printed; W1, W4 and W5 also on an NVIDIA GPU (--device cuda), where
/// the training set is kept on the GPU, each batch gathered there, and each step reads its loss back.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var workload = new Argument<string>("workload") { Description = "W1 (MLP training), W2 (tiny step latency), W3 (GEMM), W4 (CNN training), W5 (batch-norm CNN training) or W6 (residual MLP training)" };
        var runs = NumericOptions.Int("--runs", "timed runs; the median is reported (default 5)");
        var threads = NumericOptions.Int("--threads", "threads for the kernels (default: all cores)");
        var data = new Option<string?>("--data") { Description = "folder with the Fashion-MNIST IDX files (default: the Debian package's)" };
        var eager = new Option<bool>("--eager") { Description = "train through autograd without capture: every step builds its graph and allocates (to compare with capture)" };
        var profile = new Option<bool>("--profile") { Description = "after the timed runs, time every kernel of the captured step over one more run and print where the step's time goes (W1, W4, W5, W6)" };
        var device = new Option<string?>("--device") { Description = "cpu, or cuda: W1, W4 and W5 train on an NVIDIA GPU (refused, with what is missing, when none is usable) [default: cpu]" };
        var batchSize = NumericOptions.Int("--batch-size", "W1's batch (default 128, DESIGN.md's)");
        var synthetic = new Option<bool>("--synthetic") { Description = "train on random data of Fashion-MNIST's shape (60,000 examples) instead of the dataset: for machines without it, such as the GPU machines of bench/gpu/run.sh (W1, W4, W5, W6)" };
        var command = new Command("bench", "Measure a benchmark workload: samples/s, µs per step or GFLOP/s, and allocation per step")
        {
            workload, runs, threads, data, eager, profile, device, batchSize, synthetic,
        };
        command.SetAction(result => CommandRunner.Run(Console.Error, () =>
        {
            int runCount = OptionParsing.AtLeast(result.GetValue(runs) ?? 5, 1, "--runs");
            string name = result.GetValue(workload)!.ToUpperInvariant();
            if (name is not ("W1" or "W2" or "W3" or "W4" or "W5" or "W6"))
                throw new UsageException($"unknown workload '{result.GetValue(workload)}' (expected W1, W2, W3, W4, W5 or W6)");
            string? dataDirectory = result.GetValue(data);
            if (dataDirectory is not null && name is not ("W1" or "W4" or "W5" or "W6")) throw new UsageException("--data is used with W1, W4, W5 and W6 only (Fashion-MNIST)");
            if (dataDirectory is not null && !Directory.Exists(dataDirectory)) throw new UsageException($"--data: folder '{dataDirectory}' does not exist");
            bool randomData = result.GetValue(synthetic);
            if (randomData && name is not ("W1" or "W4" or "W5" or "W6")) throw new UsageException("--synthetic is used with W1, W4, W5 and W6 only (Fashion-MNIST's shape)");
            if (randomData && dataDirectory is not null) throw new UsageException("--synthetic trains on random data: leave out --data");
            var load = () => randomData ? SyntheticFashionMnist() : DatasetChoice.Load(DatasetChoice.FashionMnist, dataDirectory).Train;
            // W2 is defined on one thread (DESIGN.md); the others default to all cores.
            int threadCount = OptionParsing.Threads(result.GetValue(threads) ?? (name == "W2" ? 1 : null), Console.Error);
            using var threadLimit = Parallelism.Limit(threadCount);
            bool capture = !result.GetValue(eager), profiled = result.GetValue(profile);
            if (profiled && name is not ("W1" or "W4" or "W5" or "W6")) throw new UsageException("--profile is used with W1, W4, W5 and W6 only (the training workloads)");
            if (profiled && !capture) throw new UsageException("--profile times the kernels of captured steps: it cannot be used with --eager");
            int w1Batch = OptionParsing.AtLeast(result.GetValue(batchSize) ?? 128, 1, "--batch-size");
            if (result.GetValue(batchSize) is not null && name != "W1") throw new UsageException("--batch-size is used with W1 only");
            string deviceName = result.GetValue(device) ?? DeviceChoice.Cpu;
            if (deviceName is not (DeviceChoice.Cpu or DeviceChoice.Cuda)) throw new UsageException($"--device must be cpu or cuda, not '{deviceName}'");
            bool onGpu = deviceName == DeviceChoice.Cuda;
            if (onGpu && name is not ("W1" or "W4" or "W5")) throw new UsageException("--device cuda is used with W1, W4 and W5 only");
            if (onGpu && profiled) throw new UsageException("--profile times the CPU's kernels: it cannot be used with --device cuda");
            using var gpu = onGpu ? DeviceChoice.Start(DeviceChoice.Resolve(DeviceChoice.Cuda)) : null;
            string path = name == "W3" ? "" : capture ? ", captured steps" : ", eager autograd";
            string where = gpu is null ? $"GEMM kernel {Blas.KernelName}" : $"on {gpu.Name} (matrix products by {(gpu.UsesCublas ? "cuBLAS" : "Nabla's tiled kernel")})";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# nabla bench {name}{path}: {threadCount} thread(s), {Environment.ProcessorCount} cores, {where}, {RuntimeInformation.FrameworkDescription}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
            switch (name)
            {
                case "W1": RunW1(runCount, load, capture, profiled, w1Batch, gpu is not null); break;
                case "W2": RunW2(runCount, capture); break;
                case "W4": RunW4(runCount, load, capture, profiled, gpu is not null); break;
                case "W5": RunImageWorkload("W5", OnDevice(EngineWorkloads.CreateW5(seed: 0), gpu is not null), runCount, load, steps: 40, capture, profiled, gpu is not null); break;
                case "W6": RunImageWorkload("W6", EngineWorkloads.CreateW6(seed: 0), runCount, load, steps: 100, capture, profiled, onGpu: false); break;
                default: RunW3(runCount); break;
            }

            return CommandRunner.Success;
        }));
        return command;
    }

    /// <summary>The workload's trainer, its model moved to the GPU when <paramref name="onGpu"/> (in place: the
    /// optimiser keeps its tensors). Its data goes there too (<see cref="OnDevice(Dataset, bool)"/>).</summary>
    private static Training.Trainer OnDevice(Training.Trainer trainer, bool onGpu)
    {
        if (onGpu) trainer.Model.To(Tensors.Device.Cuda);
        return trainer;
    }

    /// <summary>The training set on the GPU when <paramref name="onGpu"/>, as the PyTorch reference keeps its data
    /// (bench/gpu/torch_gpu.py): each batch is gathered there, and a step copies only its labels and its readout.</summary>
    private static Dataset OnDevice(Dataset train, bool onGpu) => onGpu ? train.To(Tensors.Device.Cuda) : train;

    /// <summary>60,000 examples of Fashion-MNIST's shape (784 pixels in [0, 1), 10 classes), drawn from a fixed seed:
    /// what a step costs does not depend on the pixels' values.</summary>
    private static Dataset SyntheticFashionMnist()
    {
        const int Examples = 60_000;
        var random = new Random(0);
        var pixels = Tensors.Tensor.Uniform([Examples, 784], 0, 1, random);
        return new Dataset(pixels, [.. Enumerable.Range(0, Examples).Select(_ => random.Next(10))], 10, name: "synthetic Fashion-MNIST");
    }

    private static void RunW1(int runs, Func<Dataset> load, bool capture, bool profiled, int batchSize, bool onGpu)
    {
        var train = OnDevice(load(), onGpu);
        var trainer = OnDevice(MlpTrainingWorkload.CreateW1(seed: 0), onGpu);
        trainer.CaptureSteps = capture;
        var loader = new DataLoader(train, batchSize, shuffle: true, seed: 0, reuseBatches: true);
        MlpTrainingWorkload.WarmUpW1(trainer, loader);
        var rates = new List<double>();
        for (int run = 1; run <= runs; run++)
        {
            var r = MlpTrainingWorkload.RunW1Epoch(trainer, loader);
            rates.Add(r.SamplesPerSecond);
            Console.Out.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"W1 run {run}: {r.SamplesPerSecond,9:F0} samples/s  ({r.Steps} steps in {r.Seconds:F3} s; {r.BytesPerStep:F0} B allocated per step, {(double)r.Allocation.ThreadBytes / r.Steps:F0} B on the training thread; GCs gen0 {r.Allocation.Gen0}, gen1 {r.Allocation.Gen1}, gen2 {r.Allocation.Gen2})"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"W1 median: {Statistics.Median(rates):F0} samples/s (batch {batchSize})"));
        if (profiled) PrintProfile("W1", trainer, () => MlpTrainingWorkload.RunW1Epoch(trainer, loader));
    }

    private static void RunW2(int runs, bool capture)
    {
        var (trainer, batch) = MlpTrainingWorkload.CreateW2(seed: 0);
        trainer.CaptureSteps = capture;
        MlpTrainingWorkload.WarmUp(trainer, batch, seconds: 1);
        var latencies = new List<double>();
        for (int run = 1; run <= runs; run++)
        {
            var r = MlpTrainingWorkload.RunW2Steps(trainer, batch, steps: 200_000);
            latencies.Add(r.MicrosecondsPerStep);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"W2 run {run}: {r.MicrosecondsPerStep,7:F2} µs per step  ({r.BytesPerStep:F0} B allocated per step; GCs gen0 {r.Allocation.Gen0}, gen2 {r.Allocation.Gen2})"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"W2 median: {Statistics.Median(latencies):F2} µs per step"));
    }

    private static void RunW4(int runs, Func<Dataset> load, bool capture, bool profiled, bool onGpu)
    {
        var train = OnDevice(load(), onGpu);
        var trainer = OnDevice(CnnTrainingWorkload.CreateW4(seed: 0), onGpu);
        trainer.CaptureSteps = capture;
        using var batches = CnnTrainingWorkload.Batches(new DataLoader(train, 128, shuffle: true, seed: 0, reuseBatches: true));
        CnnTrainingWorkload.Run(trainer, batches, steps: 20);   // warm up: the captures, the JIT, the workers
        var rates = new List<double>();
        for (int run = 1; run <= runs; run++)
        {
            var r = CnnTrainingWorkload.Run(trainer, batches, steps: 100);
            rates.Add(r.SamplesPerSecond);
            Console.Out.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"W4 run {run}: {r.SamplesPerSecond,9:F0} samples/s  ({r.Steps} steps in {r.Seconds:F3} s; {r.BytesPerStep:F0} B allocated per step; GCs gen0 {r.Allocation.Gen0}, gen2 {r.Allocation.Gen2})"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"W4 median: {Statistics.Median(rates):F0} samples/s"));
        if (profiled) PrintProfile("W4", trainer, () => CnnTrainingWorkload.Run(trainer, batches, steps: 100));
    }

    /// <summary>W5 and W6: samples/s over <paramref name="steps"/> steps of 128 Fashion-MNIST images per run, after a
    /// warm-up of 10 steps.</summary>
    private static void RunImageWorkload(string name, Training.Trainer trainer, int runs, Func<Dataset> load, int steps, bool capture, bool profiled, bool onGpu)
    {
        trainer.CaptureSteps = capture;
        var train = OnDevice(load(), onGpu);
        using var batches = CnnTrainingWorkload.Batches(new DataLoader(train, 128, shuffle: true, seed: 0, reuseBatches: true));
        CnnTrainingWorkload.Run(trainer, batches, steps: 10);   // warm up: the JIT, the workers, the optimiser's state
        var rates = new List<double>();
        for (int run = 1; run <= runs; run++)
        {
            var r = CnnTrainingWorkload.Run(trainer, batches, steps);
            rates.Add(r.SamplesPerSecond);
            Console.Out.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"{name} run {run}: {r.SamplesPerSecond,9:F0} samples/s  ({r.Steps} steps in {r.Seconds:F3} s; {r.BytesPerStep:F0} B allocated per step; GCs gen0 {r.Allocation.Gen0}, gen2 {r.Allocation.Gen2})"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} median: {Statistics.Median(rates):F0} samples/s ({10 + (runs * steps)} steps: {trainer.CapturedStep.ReplayedSteps} replayed from {trainer.CapturedStep.CapturesMade} captures, {trainer.CapturedStep.EagerSteps} eager)"));
        if (profiled) PrintProfile(name, trainer, () => CnnTrainingWorkload.Run(trainer, batches, steps));
    }

    /// <summary>One more run of <paramref name="stretch"/> with the captured step profiled: each kernel name's share
    /// of a step, then what the kernels of the replayed pass leave out (the optimiser's update, the batch, host work).</summary>
    private static void PrintProfile(string name, Training.Trainer trainer, Func<TrainingRunResult> stretch)
    {
        const int NameWidth = 110;
        var profile = new Training.StepProfile();
        trainer.CapturedStep.Profile = profile;
        TrainingRunResult r;
        try
        {
            r = stretch();
        }
        finally
        {
            trainer.CapturedStep.Profile = null;
        }

        double step = r.Seconds * 1000 / r.Steps, kernels = 0;
        // A step that ran eagerly (a new batch shape's capture) is in the step time but not in the table: say how many.
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} profile: {step:F2} ms per step over {r.Steps} steps, {profile.Passes} of them replayed; the replayed forward and backward pass, by kernel:"));
        Console.Out.WriteLine("| ms per step | % of step | launches | kernel |");
        Console.Out.WriteLine("|---|---|---|---|");
        foreach (var kernel in profile.PerPass())
        {
            kernels += kernel.Milliseconds;
            string kernelName = kernel.Name.Length <= NameWidth ? kernel.Name : string.Concat(kernel.Name.AsSpan(0, NameWidth - 1), "…");
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {kernel.Milliseconds:F3} | {100 * kernel.Milliseconds / step:F1} | {kernel.Launches:F0} | {kernelName} |"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {step - kernels:F3} | {100 * (step - kernels) / step:F1} | | the rest: the optimiser's update, the batch, host work |"));
    }

    private static void RunW3(int runs)
    {
        // The peak the products are measured against: the same vectors, the same number of threads, measured now.
        double? peak = FmaPeak.GigaflopsPerSecond(Parallelism.MaxThreads);
        Console.Out.WriteLine(peak is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"W3 FMA peak: {p:F1} GFLOP/s ({FmaPeak.Path}, {Parallelism.MaxThreads} thread(s), a managed loop of independent fused multiply-adds)")
            : $"W3 FMA peak: not measured ({FmaPeak.Path} without a fused multiply-add instruction)");
        foreach (var c in GemmWorkload.Cases)
        {
            var results = Enumerable.Range(0, runs).Select(_ => GemmWorkload.Measure(c, seconds: 0.3)).ToList();
            var rates = results.Select(r => r.GigaflopsPerSecond).ToList();
            double median = Statistics.Median(rates);
            Console.Out.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"W3 {c.Name,-28} {c.M,5}×{c.K,4}×{c.N,4}: median {median,6:F1} GFLOP/s{(peak is { } top ? string.Create(CultureInfo.InvariantCulture, $", {100 * median / top,3:F0}% of peak") : "")}  (runs: {string.Join(", ", rates.Select(x => x.ToString("F1", CultureInfo.InvariantCulture)))}; {results.Max(r => r.BytesPerProduct):F1} B allocated per product at most)"));
        }
    }
}
