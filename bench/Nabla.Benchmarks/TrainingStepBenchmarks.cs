using BenchmarkDotNet.Attributes;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Benchmarks;

/// <summary>One training step of W1 (784-512-256-10 ReLU MLP, batch 128, SGD with momentum) and of W2 (4-16-3 tanh,
/// batch 1), captured and replayed, and eager. The allocation column shows the replayed step's zero bytes.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Trainer _w1 = null!, _w2 = null!;
    private Batch _w1Batch = null!, _w2Batch = null!;

    [Params(true, false)]
    public bool Captured { get; set; }

    private Parallelism.Scope _threadLimit;

    [GlobalCleanup]
    public void Cleanup() => _threadLimit.Dispose();

    [GlobalSetup]
    public void Setup()
    {
        _threadLimit = Parallelism.Limit(1);   // BenchmarkDotNet runs setup, iterations and cleanup on one thread
        var random = new Random(0);
        var features = Tensor.Uniform([128, 784], 0, 1, random);
        _w1Batch = new Batch(features, Enumerable.Range(0, 128).Select(i => i % 10).ToArray());
        var w1 = new Mlp(new MlpSpec(784, [512, 256], 10, Activation.Relu), seed: 0);
        _w1 = new Trainer(w1, new CrossEntropyLoss(), new Sgd(w1.Parameters(), 0.05, momentum: 0.9)) { CaptureSteps = Captured };

        _w2Batch = new Batch(Tensor.FromArray(new float[] { 0.5f, -1.25f, 2f, 0.75f }, [1, 4]), [2]);
        var w2 = new Mlp(new MlpSpec(4, [16], 3, Activation.Tanh), seed: 0);
        _w2 = new Trainer(w2, new CrossEntropyLoss(), new Sgd(w2.Parameters(), 0.01)) { CaptureSteps = Captured };
    }

    [Benchmark]
    public double W1Step() => _w1.Step(_w1Batch).Loss;

    [Benchmark]
    public double W2Step() => _w2.Step(_w2Batch).Loss;
}
