using Nabla.GradientChecking;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Tests.Losses;

public sealed class LossTests
{
    private static readonly double[] Logits = [2.0, -1.0, 0.5, 0.1, 0.2, 3.0];
    private static readonly int[] Labels = [0, 2];

    [Fact]
    public void Cross_entropy_is_minus_log_softmax_of_the_true_class()
    {
        double expected = 0;
        for (int i = 0; i < 2; i++)
        {
            var row = Logits.Skip(3 * i).Take(3).ToArray();
            expected += -Math.Log(Math.Exp(row[Labels[i]]) / row.Sum(Math.Exp));
        }

        var loss = new CrossEntropyLoss().Compute(Tensor.FromArray(Logits, [2, 3]), Labels);
        Assert.Equal(expected / 2, loss.Item(), 12);
    }

    [Fact]
    public void Cross_entropy_stays_finite_for_huge_logits()
    {
        var loss = new CrossEntropyLoss().Compute(Tensor.FromArray([1e4f, 0f, -1e4f], [1, 3]), [2]);
        Assert.Equal(2e4, loss.Item(), 0);
    }

    [Fact]
    public void Hinge_sums_margins_over_the_wrong_classes()
    {
        double expected = 0;
        for (int i = 0; i < 2; i++)
        {
            var row = Logits.Skip(3 * i).Take(3).ToArray();
            for (int j = 0; j < 3; j++)
            {
                if (j != Labels[i]) expected += Math.Max(0, row[j] - row[Labels[i]] + 1);
            }
        }

        var loss = new MultiClassHingeLoss().Compute(Tensor.FromArray(Logits, [2, 3]), Labels);
        Assert.Equal(expected / 2, loss.Item(), 12);
    }

    [Fact]
    public void Mse_compares_probabilities_with_one_hot_labels()
    {
        double expected = 0;
        for (int i = 0; i < 2; i++)
        {
            var row = Logits.Skip(3 * i).Take(3).ToArray();
            double z = row.Sum(Math.Exp);
            for (int j = 0; j < 3; j++) expected += Math.Pow((Math.Exp(row[j]) / z) - (j == Labels[i] ? 1 : 0), 2);
        }

        var loss = new MeanSquaredErrorLoss().Compute(Tensor.FromArray(Logits, [2, 3]), Labels);
        Assert.Equal(expected / 2, loss.Item(), 12);
    }

    [Theory]
    [InlineData("cross-entropy")]
    [InlineData("mse")]
    [InlineData("hinge")]
    public void Every_loss_passes_the_gradient_check(string name)
    {
        var logits = Tensor.Normal([6, 4], 0, 2, new Random(2), DType.Float64);
        logits.RequiresGrad = true;
        int[] labels = [3, 0, 1, 2, 2, 0];
        var loss = Loss.Parse(name);
        var report = GradientChecker.Check(() => loss.Compute(logits, labels), [new("logits", logits)]);
        Assert.True(report.Passed, report.ToString());
    }

    [Theory]
    [InlineData("l2")]
    [InlineData("l1")]
    public void Every_regulariser_passes_the_gradient_check_and_skips_biases(string name)
    {
        var model = new Mlp(new MlpSpec(5, [4], 3, DType: DType.Float64), seed: 7);
        Regularizer r = name == "l2" ? new L2Regularizer(0.3) : new L1Regularizer(0.3);
        var report = GradientChecker.Check(() => r.Penalty(model), model.NamedParameters());
        Assert.True(report.Passed, report.ToString());

        // The analytic gradient is λ·2W for L2 and λ·sign(W) for L1 on weights, and 0 on biases.
        var w = model.Layers.Modules[0].OwnParameters().First().Value;
        var expected = w.ToDoubleArray().Select(v => name == "l2" ? 0.3 * 2 * v : 0.3 * Math.Sign(v)).ToArray();
        var actual = w.Grad!.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
        var bias = model.NamedParameters().First(p => p.Key == "layers.0.bias").Value;
        Assert.All(bias.Grad?.ToDoubleArray() ?? [], g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void Losses_reject_wrong_label_counts_and_out_of_range_labels()
    {
        var logits = Tensor.Zeros([2, 3]);
        var count = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Compute(logits, [0]));
        Assert.Contains("(2, 3)", count.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Compute(logits, [0, 3]));
    }
}
