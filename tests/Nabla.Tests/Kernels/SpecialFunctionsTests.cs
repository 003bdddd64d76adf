using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

public sealed class SpecialFunctionsTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-1.0, -0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.9, 0.9999589021219005)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(5.0, 0.9999999999984626)]
    [InlineData(-6.0, -1.0)]
    public void Erf_matches_reference_values(double x, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.Erf(x), 13);
    }

    [Fact]
    public void Gelu_is_x_times_the_normal_distribution_function()
    {
        // x·Φ(x) with Φ(1) = 0.8413447460685429, Φ(−1) = 0.15865525393145707, Φ(2.5) = 0.9937903346742238 (tables).
        var y = Tensor.FromArray([1.0, -1.0, 2.5]).Gelu().ToDoubleArray();
        Assert.Equal(0.8413447460685429, y[0], 13);
        Assert.Equal(-0.15865525393145707, y[1], 13);
        Assert.Equal(2.5 * 0.9937903346742238, y[2], 13);
    }
}
