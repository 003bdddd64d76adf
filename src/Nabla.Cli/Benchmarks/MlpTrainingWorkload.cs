using System.Diagnostics;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Benchmarks;

/// <summary>W1: one epoch of Fashion-MNIST on the MLP 784-512-256-10 (ReLU, softmax cross-entropy, SGD lr 0.05 with
/// momentum 0.9, batch 128), data preloaded; and W2: single SGD steps of a 4-16-3 tanh network on batches of one.</summary>
internal static class MlpTrainingWorkload
{
    /// <summary>W1's network and optimiser, freshly initialised from <paramref name="seed"/>.</summary>
    public static Trainer CreateW1(int seed)
    {
        var model = new Mlp(new MlpSpec(784, [512, 256], 10, Activation.Relu), seed);
        return new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05, momentum: 0.9));
    }

    /// <summary>Untimed epochs until the JIT has settled: the captures for both batch sizes (128 and the last, partial
    /// one) are made in the first, and tiered compilation recompiles hot code in the background for a while after;
    /// a timed epoch that overlapped it would measure the compiler competing for the cores. So epochs repeat (at most
    /// four) until one passes with no method compiled.</summary>
    public static void WarmUpW1(Trainer trainer, DataLoader loader)
    {
        for (int epoch = 0; epoch < 4; epoch++)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var batch in loader.Epoch()) trainer.Step(batch);
            if (epoch > 0 && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled) return;
        }
    }

    /// <summary>Times one full epoch.</summary>
    public static TrainingRunResult RunW1Epoch(Trainer trainer, DataLoader loader)
    {
        int steps = 0, samples = 0;
        var before = AllocationProbe.Now();
        long start = Stopwatch.GetTimestamp();   // not a Stopwatch, whose own bytes the probe would count
        foreach (var batch in loader.Epoch())
        {
            trainer.Step(batch);
            steps++;
            samples += batch.Count;
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new TrainingRunResult(steps, samples, seconds, AllocationProbe.Now() - before);
    }

    /// <summary>W2's network, optimiser and one fixed example (batch of one).</summary>
    public static (Trainer Trainer, Batch Batch) CreateW2(int seed)
    {
        var model = new Mlp(new MlpSpec(4, [16], 3, Activation.Tanh), seed);
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.01));
        var features = Tensors.Tensor.FromArray(new float[] { 0.5f, -1.25f, 2f, 0.75f }, [1, 4]);
        return (trainer, new Batch(features, [2]));
    }

    /// <summary>Steps for <paramref name="seconds"/> untimed: long enough for the JIT's tiered compilation to replace
    /// the first, unoptimised code (it waits ~100 ms, then recompiles hot methods in the background).</summary>
    public static void WarmUp(Trainer trainer, Batch batch, double seconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 1000; i++) trainer.Step(batch);
        }
    }

    /// <summary>Times <paramref name="steps"/> consecutive steps on one example.</summary>
    public static TrainingRunResult RunW2Steps(Trainer trainer, Batch batch, int steps)
    {
        var before = AllocationProbe.Now();
        long start = Stopwatch.GetTimestamp();   // not a Stopwatch, whose own bytes the probe would count
        for (int i = 0; i < steps; i++) trainer.Step(batch);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new TrainingRunResult(steps, steps, seconds, AllocationProbe.Now() - before);
    }
}
