using Nabla.GradientChecking;
using Nabla.Tensors;

namespace Nabla.Tests.GradientChecking;

public sealed class GradientCheckerTests
{
    [Fact]
    public void A_wrong_analytic_gradient_fails_and_names_the_worst_element()
    {
        var x = Tensor.FromArray([1.0, -3.0, 2.0], [3]);
        // d/dx (x·x) is 2x, but detaching one factor makes backpropagation see only x: the check must notice.
        var report = GradientChecker.Check(() => (x.Detach() * x).Sum(), [new("x", x)]);
        Assert.False(report.Passed);
        var row = Assert.Single(report.Parameters);
        Assert.Equal("x[1]", row.WorstElement);
        Assert.Equal(-3.0, row.AnalyticAtWorst, 9);
        Assert.Equal(-6.0, row.NumericAtWorst, 6);
        Assert.Contains("FAIL", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_correct_gradient_passes_with_a_tiny_relative_error()
    {
        var x = Tensor.FromArray([0.5, -1.5, 2.0, 0.1], [2, 2]);
        var report = GradientChecker.Check(() => (x.Exp() * x).Sum(), [new("x", x)]);
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.MaxRelativeError < 1e-9);
    }

    [Fact]
    public void Large_tensors_are_checked_on_a_sample()
    {
        var x = Tensor.Normal([40, 40], 0, 1, new Random(1), DType.Float64);
        var report = GradientChecker.Check(() => x.Square().Sum(), [new("x", x)], new GradientCheckOptions(MaxElementsPerTensor: 50));
        Assert.Equal(50, report.Parameters[0].ElementsChecked);
        Assert.True(report.Passed);
    }

    [Fact]
    public void Float32_tensors_are_refused()
    {
        var x = Tensor.Ones([2]);
        var e = Assert.Throws<ArgumentException>(() => GradientChecker.Check(() => x.Sum(), [new("x", x)]));
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
    }
}
