using Nabla.Data;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tests.Training;

/// <summary>An evaluation without a batch size takes as many examples as keep the layers' outputs within 64 MiB: an MLP
/// still evaluates 1,024 at a time, a convolutional network far fewer, with the same answers.</summary>
public sealed class EvaluationBatchTests
{
    private static Dataset Images(int count)
    {
        var random = new Random(3);
        return new Dataset(Tensor.Uniform([count, 784], 0, 1, random), [.. Enumerable.Range(0, count).Select(i => i % 10)], 10);
    }

    [Fact]
    public void An_mlp_evaluates_a_thousand_at_a_time_and_a_wide_cnn_a_few_dozen()
    {
        var data = Images(8);
        var mlp = Architecture.Build("fc512-relu-fc256-relu-fc10", [784], new Random(0)).Model;
        var cnn = Architecture.Build("conv32k3p1-bn-relu-conv32k3p1-bn-relu-pool2-flatten-fc10", [1, 28, 28], new Random(0)).Model;

        Assert.Equal(1024, Evaluator.DefaultBatch(mlp, data));
        // Per image: 784 inputs, six maps of 32 × 28 × 28 (conv, bn, relu twice), the pooled map twice (pool, flatten)
        // and 10 logits: about 0.65 MB in float32, so about a hundred images fit 64 MiB.
        int batch = Evaluator.DefaultBatch(cnn, data);
        Assert.InRange(batch, 100, 200);
    }

    [Fact]
    public void The_chosen_batch_gives_the_answers_of_any_other()
    {
        var data = Images(300);
        var cnn = Architecture.Build("conv8k3p1-bn-relu-pool2-flatten-fc10", [1, 28, 28], new Random(1)).Model;
        var chosen = Evaluator.Evaluate(cnn, data);
        var whole = Evaluator.Evaluate(cnn, data, batchSize: 300);

        Assert.Equal(whole.Accuracy, chosen.Accuracy);
        Assert.Equal(whole.Loss, chosen.Loss, 1e-6);
    }
}
