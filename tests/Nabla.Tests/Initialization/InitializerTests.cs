using Nabla.Initialization;
using Nabla.Tensors;

namespace Nabla.Tests.Initialization;

public sealed class InitializerTests
{
    private const int FanIn = 400, FanOut = 100;

    [Theory]
    [InlineData(InitMethod.Default, 0.05)]                 // U(±1/√400)
    [InlineData(InitMethod.XavierUniform, 0.1095445)]      // U(±√(6/500))
    [InlineData(InitMethod.HeUniform, 0.1224745)]          // U(±√(6/400))
    public void Uniform_methods_stay_within_their_bound_and_fill_it(InitMethod method, double bound)
    {
        var w = new Initializer(method).Create([FanOut, FanIn], FanIn, FanOut, new Random(1), DType.Float64).ToDoubleArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.95 * bound && w.Min() < -0.95 * bound);
    }

    [Theory]
    [InlineData(InitMethod.XavierNormal, 0.0632456)]       // √(2/500)
    [InlineData(InitMethod.HeNormal, 0.0707107)]           // √(2/400)
    [InlineData(InitMethod.Normal, 0.01)]
    public void Normal_methods_have_the_right_spread(InitMethod method, double std)
    {
        var w = new Initializer(method).Create([FanOut, FanIn], FanIn, FanOut, new Random(2), DType.Float64).ToDoubleArray();
        double mean = w.Average();
        double measured = Math.Sqrt(w.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.05 * std, 0.05 * std);
        Assert.InRange(measured, 0.97 * std, 1.03 * std);
    }

    [Fact]
    public void Zeros_and_seeding_behave()
    {
        Assert.All(new Initializer(InitMethod.Zeros).Create([3, 3], 3, 3, new Random(0)).ToFloatArray(), v => Assert.Equal(0f, v));
        var a = Initializer.Parse("he-normal").Create([5, 5], 5, 5, new Random(7)).ToFloatArray();
        var b = Initializer.Parse("kaiming-normal").Create([5, 5], 5, 5, new Random(7)).ToFloatArray();
        Assert.Equal(a, b);
        Assert.Throws<ArgumentException>(() => Initializer.Parse("orthogonal"));
    }
}
