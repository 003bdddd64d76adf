using Nabla.Losses;
using Nabla.Tensors;

namespace Nabla.Tests.Losses;

/// <summary>Values of the issue-4 losses against their formulas (their gradients are in the op table).</summary>
public sealed class MoreLossTests
{
    private static readonly Tensor Logits = Tensor.FromArray(new double[,] { { 2.0, -1.0, 0.5 }, { -0.3, 0.8, 1.2 } });
    private static readonly int[] Labels = [0, 2];

    private static double LogSoftmax(int row, int column)
    {
        var z = Enumerable.Range(0, 3).Select(j => Logits[row, j]).ToArray();
        return z[column] - Math.Log(z.Sum(Math.Exp));
    }

    [Fact]
    public void Label_smoothing_mixes_the_true_class_with_the_uniform_distribution()
    {
        double expected = Enumerable.Range(0, 2).Average(i =>
            (0.8 * -LogSoftmax(i, Labels[i])) + (0.2 * -Enumerable.Range(0, 3).Average(j => LogSoftmax(i, j))));
        Assert.Equal(expected, new CrossEntropyLoss(labelSmoothing: 0.2).Compute(Logits, Labels).Item(), 12);
        Assert.Equal(new CrossEntropyLoss().Compute(Logits, Labels).Item(), new CrossEntropyLoss(0, null).Compute(Logits, Labels).Item(), 15);
    }

    [Fact]
    public void Class_weights_weigh_each_example_by_its_class_and_normalise_by_the_weights()
    {
        double[] w = [1, 5, 3];
        double expected = ((w[0] * -LogSoftmax(0, 0)) + (w[2] * -LogSoftmax(1, 2))) / (w[0] + w[2]);
        Assert.Equal(expected, new CrossEntropyLoss(classWeights: w).Compute(Logits, Labels).Item(), 12);
        Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(classWeights: [1.0, 2.0]).Compute(Logits, Labels));
    }

    [Fact]
    public void Binary_cross_entropy_matches_its_probabilistic_definition_and_stays_finite_for_huge_logits()
    {
        var z = Tensor.FromArray(new double[] { 3, -2, 0.5 }, [3, 1]);
        int[] t = [1, 0, 0];
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        double expected = new[] { -Math.Log(Sigmoid(3)), -Math.Log(1 - Sigmoid(-2)), -Math.Log(1 - Sigmoid(0.5)) }.Average();
        Assert.Equal(expected, new BinaryCrossEntropyWithLogitsLoss().Compute(z, t).Item(), 12);
        var huge = Tensor.FromArray(new double[] { 1000, -1000 }, [2, 1]);
        Assert.Equal(500, new BinaryCrossEntropyWithLogitsLoss().Compute(huge, [0, 0]).Item(), 9);   // (1000 + 0)/2, without overflow
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossEntropyWithLogitsLoss().Compute(z, [2, 0, 0]));
    }

    [Fact]
    public void Huber_is_quadratic_inside_delta_and_linear_beyond()
    {
        var prediction = Tensor.FromArray(new double[] { 0.5, 3.0, -2.0 });
        var target = Tensor.Zeros([3], DType.Float64);
        double expected = ((0.5 * 0.25) + (3 - 0.5) + (2 - 0.5)) / 3;
        Assert.Equal(expected, HuberLoss.Between(prediction, target).Item(), 12);
    }

    [Fact]
    public void Negative_log_likelihood_of_log_softmax_is_cross_entropy()
    {
        Assert.Equal(new CrossEntropyLoss().Compute(Logits, Labels).Item(), new NegativeLogLikelihoodLoss().Compute(Logits.LogSoftmax(), Labels).Item(), 12);
    }
}
