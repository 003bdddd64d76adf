using System.Diagnostics;
using Nabla.Data;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Benchmarks;

/// <summary>W4: the Fashion-MNIST CNN of DESIGN.md — conv 1→32 3×3 pad 1, ReLU, max-pool 2, conv 32→64 3×3 pad 1,
/// ReLU, max-pool 2, flatten, linear 3136→128, ReLU, linear 128→10 — with Adam lr 1e-3 and batches of 128.</summary>
internal static class CnnTrainingWorkload
{
    /// <summary>The network (behind an Unflatten, since the images come as 784-pixel rows) and its trainer.</summary>
    public static Trainer CreateW4(int seed)
    {
        var random = new Random(seed);
        var model = new Sequential(
            new Unflatten(1, 28, 28),
            new Conv2d(1, 32, 3, random, padding: 1), new Relu(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, random, padding: 1), new Relu(), new MaxPool2d(2),
            new Flatten(), new Linear(3136, 128, random), new Relu(), new Linear(128, 10, random));
        return new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 1e-3));
    }

    /// <summary>Times <paramref name="steps"/> consecutive steps, taking batches from <paramref name="batches"/> (which
    /// cycles through epochs).</summary>
    public static TrainingRunResult Run(Trainer trainer, IEnumerator<Batch> batches, int steps)
    {
        int samples = 0;
        // A timestamp, not a Stopwatch: a Stopwatch made inside the probed span would count its own 40 bytes.
        var before = AllocationProbe.Now();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++)
        {
            batches.MoveNext();
            trainer.Step(batches.Current);
            samples += batches.Current.Count;
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new TrainingRunResult(steps, samples, seconds, AllocationProbe.Now() - before);
    }

    /// <summary>Full batches only, epoch after epoch, without end (the partial last batch of each epoch is skipped so
    /// that every timed step is W4's batch of 128).</summary>
    public static IEnumerator<Batch> Batches(DataLoader loader)
    {
        while (true)
        {
            foreach (var batch in loader.Epoch())
            {
                if (batch.Count == loader.BatchSize) yield return batch;
            }
        }
    }
}
