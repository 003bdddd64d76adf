using System.Globalization;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

// Trains a small network of one of the benchmark shapes on seeded synthetic data for a number of steps, as one process
// or (under mpirun) as one rank of a data-parallel run, and writes, from rank 0, the loss of every step, the largest
// change of any parameter, and the final weights (buffers included) to a file: the data-parallel tests compare these between runs.
//
//   Nabla.Distributed.TestHost SHAPE DTYPE STEPS BATCH OUTPUT [sync-bn] [uneven] [no-overlap]
//   SHAPE: w1 (W1's MLP, 784-512-256-10), w5 (W5's layer kinds at a small size, batch norm included), w5-nobn (the
//   same without batch norm: convolutions, pooling, dropout); DTYPE: f32 or f64; sync-bn: batch norm synchronised
//   across the ranks; uneven: 7 examples fewer, so that the last batch is partial; no-overlap: the gradients summed
//   after each backward pass, not bucket by bucket during it. Rank r > 0 writes OUTPUT.rankR (its own weights), for
//   the tests to check that every rank ends with the same bits; rank 0 also writes OUTPUT.buckets, the number of
//   gradient buckets summed during backward passes.
string shape = args[0];
var dtype = args[1] == "f64" ? DType.Float64 : DType.Float32;
int steps = int.Parse(args[2], CultureInfo.InvariantCulture);
int batch = int.Parse(args[3], CultureInfo.InvariantCulture);
string output = args[4];
var flags = args.Skip(5).ToHashSet();
bool syncBatchNorm = flags.Contains("sync-bn");

using var group = MpiEnvironment.StartedByMpirun ? MpiProcessGroup.Start() : null;
using var threads = Nabla.Parallelism.Limit(1);
(string description, int[] example) = shape switch
{
    "w1" => ("fc512-relu-fc256-relu-fc10", new[] { 784 }),
    "w5" => ("conv8k3p1-bn-relu-conv8k3p1-bn-relu-pool2-dropout0.25-flatten-fc32-bn-relu-dropout0.5-fc10", new[] { 1, 12, 12 }),
    "w5-nobn" => ("conv8k3p1-relu-conv8k3p1-relu-pool2-dropout0.25-flatten-fc32-relu-dropout0.5-fc10", new[] { 1, 12, 12 }),
    _ => throw new ArgumentException($"unknown shape {shape}"),
};
var (model, _) = Architecture.Build(description, example, new Random(7), flatInput: true, dtype: dtype);

// Seeded data: features uniform in [-1, 1), labels from a fixed random linear map, so that the loss goes down.
int features = example.Aggregate(1, (a, b) => a * b), count = (steps * batch) - (flags.Contains("uneven") ? 7 : 0);
var random = new Random(11);
var x = new double[count * features];
for (int i = 0; i < x.Length; i++) x[i] = (random.NextDouble() * 2) - 1;
var map = Enumerable.Range(0, 10 * features).Select(_ => random.NextDouble() - 0.5).ToArray();
var labels = new int[count];
for (int n = 0; n < count; n++)
{
    int best = 0;
    double bestScore = double.NegativeInfinity;
    for (int c = 0; c < 10; c++)
    {
        double score = 0;
        for (int f = 0; f < features; f++) score += map[(c * features) + f] * x[(n * features) + f];
        if (score > bestScore) (best, bestScore) = (c, score);
    }

    labels[n] = best;
}

var data = new Dataset(Tensor.FromArray(x, new Shape([count, features])).To(dtype), labels, 10, name: "synthetic");
// SGD with momentum, not Adam: Adam divides each gradient by its own running size, so a parameter whose gradient is
// zero but for rounding (a convolution's bias just before batch norm, which subtracts it again) moves by that rounding,
// and two correct runs that round differently part at 1e-10. SGD keeps such differences at the rounding's own size.
var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, 0.9), [new L2Regularizer(1e-4)]) { ProcessGroup = group, SyncBatchNorm = syncBatchNorm, OverlapGradientSum = !flags.Contains("no-overlap") };
var initial = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.ToDoubleArray());
var losses = new LossRecorder();
trainer.Fit(data, null, new TrainingOptions(Epochs: 1, BatchSize: batch, Seed: 3), callbacks: [losses]);

{
    using var file = new StreamWriter(group is null or { Rank: 0 } ? output : $"{output}.rank{group.Rank}");
    file.WriteLine(string.Join(' ', losses.Losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture))));
    double moved = model.NamedParameters().Max(p => p.Value.ToDoubleArray().Zip(initial[p.Key], (a, b) => Math.Abs(a - b)).Max());
    file.WriteLine(moved.ToString("R", CultureInfo.InvariantCulture));
    foreach (var (name, tensor) in model.NamedState())
    {
        var values = tensor.DType == DType.Float64 ? tensor.AsSpan<double>().ToArray() : tensor.AsSpan<float>().ToArray().Select(v => (double)v).ToArray();
        file.WriteLine($"{name} {string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
    }
}

if (group is null or { Rank: 0 }) File.WriteAllText($"{output}.buckets", trainer.GradientBucketsOverlapped.ToString(CultureInfo.InvariantCulture));

return 0;

/// <summary>The mean loss of every step: the running mean of the epoch so far, turned back into each batch's own.</summary>
internal sealed class LossRecorder : ITrainingCallback
{
    private double _sum;
    private int _samples;

    public List<double> Losses { get; } = [];

    public void OnBatchEnd(Trainer trainer, BatchProgress progress)
    {
        double total = progress.Loss * progress.Samples;
        Losses.Add((total - _sum) / (progress.Samples - _samples));
        (_sum, _samples) = (total, progress.Samples);
    }

    public bool OnEpochEnd(Trainer trainer, EpochResult result, IReadOnlyList<EpochResult> history) => false;
}
