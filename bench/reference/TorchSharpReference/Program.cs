// The TorchSharp reference for `nabla bench`: the same workloads, the same output format.
// Usage: dotnet bench/reference/TorchSharpReference/bin/Release/net10.0/TorchSharpReference.dll W1|W2|W3 [--runs 5] [--threads N] [--data DIR]
using System.Diagnostics;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

string workload = args.Length > 0 ? args[0].ToUpperInvariant() : "";
int runs = Option("--runs", 5);
int threads = Option("--threads", workload == "W2" ? 1 : Environment.ProcessorCount);
string data = args.SkipWhile(a => a != "--data").Skip(1).FirstOrDefault() ?? "/usr/share/datasets/fashion-mnist";

torch.set_num_threads(threads);
torch.manual_seed(0);
Console.WriteLine($"# TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {torch.__version__}) bench {workload}: {torch.get_num_threads()} thread(s), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
switch (workload)
{
    case "W1": RunW1(); break;
    case "W2": RunW2(); break;
    case "W3": RunW3(); break;
    default: Console.Error.WriteLine("usage: TorchSharpReference W1|W2|W3 [--runs N] [--threads N] [--data DIR]"); return 2;
}

return 0;

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static byte[] ReadIdx(string path, out int[] dims)
{
    using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    var bytes = memory.ToArray();
    int rank = bytes[3];
    dims = new int[rank];
    for (int i = 0; i < rank; i++) dims[i] = (bytes[4 + (4 * i)] << 24) | (bytes[5 + (4 * i)] << 16) | (bytes[6 + (4 * i)] << 8) | bytes[7 + (4 * i)];
    return bytes[(4 + (4 * rank))..];
}

void RunW1()
{
    var pixels = ReadIdx(Path.Combine(data, "train-images-idx3-ubyte.gz"), out var imageDims);
    var labelBytes = ReadIdx(Path.Combine(data, "train-labels-idx1-ubyte.gz"), out _);
    int count = imageDims[0], width = imageDims[1] * imageDims[2];
    var x = torch.tensor(pixels.Select(p => p / 255f).ToArray(), [count, width]);
    var y = torch.tensor(labelBytes.Select(l => (long)l).ToArray(), [count]);
    var model = nn.Sequential(
        ("fc1", nn.Linear(784, 512)), ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(512, 256)), ("relu2", nn.ReLU()),
        ("fc3", nn.Linear(256, 10)));
    var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
    var loss = nn.CrossEntropyLoss();
    var generator = new torch.Generator(0);

    int Epoch()
    {
        using var scope = torch.NewDisposeScope();
        var order = torch.randperm(count, generator: generator);
        int steps = 0;
        for (int start = 0; start < count; start += 128)
        {
            using var stepScope = torch.NewDisposeScope();
            var index = order[TensorIndex.Slice(start, Math.Min(start + 128, count))];
            optimizer.zero_grad();
            var output = loss.forward(model.forward(x[index]), y[index]);
            output.backward();
            optimizer.step();
            steps++;
        }

        return steps;
    }

    Epoch();   // warm up, as `nabla bench W1` does
    var rates = new List<double>();
    for (int run = 1; run <= runs; run++)
    {
        var clock = Stopwatch.StartNew();
        int steps = Epoch();
        double seconds = clock.Elapsed.TotalSeconds;
        rates.Add(count / seconds);
        Console.WriteLine($"W1 run {run}: {rates[^1],9:F0} samples/s  ({steps} steps in {seconds:F3} s)");
    }

    Console.WriteLine($"W1 median: {Median(rates):F0} samples/s");
}

void RunW2()
{
    var model = nn.Sequential(("fc1", nn.Linear(4, 16)), ("tanh", nn.Tanh()), ("fc2", nn.Linear(16, 3)));
    var optimizer = torch.optim.SGD(model.parameters(), 0.01);
    var loss = nn.CrossEntropyLoss();
    var features = torch.tensor(new[] { 0.5f, -1.25f, 2f, 0.75f }, [1, 4]);
    var label = torch.tensor(new long[] { 2 });

    void Step()
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        loss.forward(model.forward(features), label).backward();
        optimizer.step();
    }

    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < 1) Step();
    var latencies = new List<double>();
    const int steps = 20_000;
    for (int run = 1; run <= runs; run++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        latencies.Add(clock.Elapsed.TotalMicroseconds / steps);
        Console.WriteLine($"W2 run {run}: {latencies[^1],7:F2} µs per step");
    }

    Console.WriteLine($"W2 median: {Median(latencies):F2} µs per step");
}

void RunW3()
{
    (string Name, int M, int K, int N, bool TA, bool TB)[] cases =
    [
        ("1024³ A·B", 1024, 1024, 1024, false, false),
        ("W1 fc1 forward X·W1ᵀ", 128, 784, 512, false, true),
        ("W1 fc1 weight grad Gᵀ·X", 512, 128, 784, true, false),
        ("W1 fc2 forward H1·W2ᵀ", 128, 512, 256, false, true),
        ("W1 fc2 weight grad Gᵀ·H1", 256, 128, 512, true, false),
        ("W1 fc2 input grad G·W2", 128, 256, 512, false, false),
        ("W1 fc3 forward H2·W3ᵀ", 128, 256, 10, false, true),
        ("W1 fc3 weight grad Gᵀ·H2", 10, 128, 256, true, false),
        ("W1 fc3 input grad G·W3", 128, 10, 256, false, false),
    ];
    foreach (var c in cases)
    {
        var a = torch.rand(c.TA ? [c.K, c.M] : [c.M, c.K]) * 2 - 1;
        var b = torch.rand(c.TB ? [c.N, c.K] : [c.K, c.N]) * 2 - 1;
        var aOp = c.TA ? a.t() : a;   // views: libtorch passes the transpose flag to its BLAS
        var bOp = c.TB ? b.t() : b;
        var output = torch.empty(c.M, c.N);
        double flops = 2.0 * c.M * c.K * c.N;
        int repeats = Math.Max(1, (int)(2e6 / flops * 50));
        output.addmm_(aOp, bOp, 0, 1);   // in place, beta = 0: no allocation per product
        var rates = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var perRun = new List<double>();
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < 0.3 || perRun.Count < 3)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < repeats; r++) output.addmm_(aOp, bOp, 0, 1);   // in place, beta = 0: no allocation per product
                perRun.Add(flops * repeats / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
            }

            rates.Add(Median(perRun));
        }

        Console.WriteLine($"W3 {c.Name,-28} {c.M,5}×{c.K,4}×{c.N,4}: median {Median(rates),6:F1} GFLOP/s  (runs: {string.Join(", ", rates.Select(r => r.ToString("F1")))})");
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    int middle = sorted.Length / 2;
    return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
