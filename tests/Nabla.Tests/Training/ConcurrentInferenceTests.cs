using Nabla.Autograd;
using Nabla.Data;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>Several threads running inference on one model in evaluation mode get exactly (bit for bit) what the same
/// calls give one after another: no shared scratch buffers, gradient mode per thread, the worker pool shared safely.</summary>
public sealed class ConcurrentInferenceTests
{
    private const int Threads = 8, CallsPerThread = 50;

    // Batch sizes from one row (the small-row GEMM) to products large enough for the worker pool.
    private static readonly int[] BatchSizes = [1, 7, 64, 200];

    private static Tensor Input(int thread, int call) =>
        Tensor.Uniform([BatchSizes[(thread + call) % BatchSizes.Length], 64], 0, 1, new Random((thread * 1000) + call));

    /// <summary>Runs <paramref name="work"/>(thread, call) for every call on every thread, all threads released together.</summary>
    private static T[][] RunConcurrently<T>(Func<int, int, T> work, int calls = CallsPerThread)
    {
        var results = new T[Threads][];
        var failures = new List<Exception>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                results[t] = [.. Enumerable.Range(0, calls).Select(c => work(t, c))];
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        return results;
    }

    private static T[][] RunSequentially<T>(Func<int, int, T> work, int calls = CallsPerThread) =>
        [.. Enumerable.Range(0, Threads).Select(t => Enumerable.Range(0, calls).Select(c => work(t, c)).ToArray())];

    public static TheoryData<string> Models => ["mlp", "cnn"];

    private static Module Build(string kind)
    {
        Module model = kind == "mlp"
            ? new Mlp(new MlpSpec(64, [256], 10), seed: 0)
            : Architecture.Build("conv8k3p1-relu-pool2-flatten-fc10", [1, 8, 8], new Random(0)).Model;
        model.Eval();
        return model;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Forward_from_eight_threads_gives_the_sequential_answers_bit_for_bit(string kind)
    {
        var model = Build(kind);
        float[] Forward(int thread, int call)
        {
            // Half the threads record gradients and half do not: the mode is per thread, so neither disturbs the other.
            if (thread % 2 == 0)
            {
                using var _ = GradMode.NoGrad();
                var output = model.Forward(Input(thread, call));
                Assert.False(output.RequiresGrad);
                return output.ToFloatArray();
            }

            var recorded = model.Forward(Input(thread, call));
            Assert.True(recorded.RequiresGrad);
            return recorded.ToFloatArray();
        }

        var expected = RunSequentially(Forward);
        var actual = RunConcurrently(Forward);
        for (int t = 0; t < Threads; t++)
        {
            for (int c = 0; c < CallsPerThread; c++) Assert.True(expected[t][c].AsSpan().SequenceEqual(actual[t][c]), $"{kind}: thread {t}, call {c} differs");
        }

        Assert.True(GradMode.IsEnabled);
        Assert.False(model.IsTraining);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Evaluation_and_probabilities_from_eight_threads_give_the_sequential_answers(string kind)
    {
        var model = Build(kind);
        var data = Enumerable.Range(0, Threads).Select(t =>
        {
            var x = Input(t, 3);
            return new Dataset(x, [.. Enumerable.Range(0, x.Shape[0]).Select(i => (i * 7) % 10)], 10, name: $"part {t}");
        }).ToArray();

        (double Loss, double Accuracy, int[] Confusion, double[] Probabilities) Evaluate(int thread, int call)
        {
            var result = Evaluator.Evaluate(model, data[thread], batchSize: 16 << (call % 3));
            var probabilities = Evaluator.Probabilities(model, data[thread].Features, batchSize: 100 >> (call % 2));
            return (result.Loss, result.Accuracy, [.. result.ConfusionMatrix.Cast<int>()], [.. probabilities.Cast<double>()]);
        }

        const int calls = 20;
        var expected = RunSequentially(Evaluate, calls);
        var actual = RunConcurrently(Evaluate, calls);
        for (int t = 0; t < Threads; t++)
        {
            for (int c = 0; c < calls; c++)
            {
                var (e, a) = (expected[t][c], actual[t][c]);
                Assert.Equal(e.Loss, a.Loss);
                Assert.Equal(e.Accuracy, a.Accuracy);
                Assert.Equal(e.Confusion, a.Confusion);
                Assert.True(e.Probabilities.AsSpan().SequenceEqual(a.Probabilities), $"{kind}: thread {t}, call {c}: probabilities differ");
            }
        }

        Assert.False(model.IsTraining);
        Assert.All(model.NamedChildren(), c => Assert.False(c.Value.IsTraining));
    }
}
