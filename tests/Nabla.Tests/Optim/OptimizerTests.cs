using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

public sealed class OptimizerTests
{
    // One parameter w = 1 with the loss L = w², so ∇w = 2w at every step. Expected values are worked by hand.
    private static (Tensor W, Action Step) Quadratic(Func<Tensor, Optimizer> create)
    {
        var w = Tensor.FromArray([1.0], [1]);
        w.RequiresGrad = true;
        var optimizer = create(w);
        return (w, () =>
        {
            optimizer.ZeroGrad();
            w.Square().Sum().Backward();
            optimizer.Step();
        });
    }

    [Fact]
    public void Plain_sgd_subtracts_the_learning_rate_times_the_gradient()
    {
        var (w, step) = Quadratic(w => new Sgd([w], 0.1));
        step();   // 1 − 0.1·2 = 0.8
        Assert.Equal(0.8, w.Item(), 15);
        step();   // 0.8 − 0.1·1.6 = 0.64
        Assert.Equal(0.64, w.Item(), 15);
    }

    [Fact]
    public void Momentum_accumulates_a_velocity()
    {
        var (w, step) = Quadratic(w => new Sgd([w], 0.1, momentum: 0.9));
        step();   // v = 2, w = 0.8
        step();   // g = 1.6, v = 0.9·2 + 1.6 = 3.4, w = 0.8 − 0.34 = 0.46
        Assert.Equal(0.46, w.Item(), 14);
    }

    [Fact]
    public void Nesterov_looks_ahead_along_the_velocity()
    {
        var (w, step) = Quadratic(w => new Sgd([w], 0.1, momentum: 0.9, nesterov: true));
        step();   // g = 2, v = 2, step = g + 0.9v = 3.8, w = 0.62
        Assert.Equal(0.62, w.Item(), 14);
        step();   // g = 1.24, v = 1.8 + 1.24 = 3.04, step = 1.24 + 2.736 = 3.976, w = 0.62 − 0.3976 = 0.2224
        Assert.Equal(0.2224, w.Item(), 14);
    }

    [Fact]
    public void Weight_decay_adds_lambda_w_to_the_gradient()
    {
        var (w, step) = Quadratic(w => new Sgd([w], 0.1, weightDecay: 0.5));
        step();   // g = 2 + 0.5 = 2.5, w = 0.75
        Assert.Equal(0.75, w.Item(), 15);
    }

    [Fact]
    public void Adam_takes_bias_corrected_steps_of_about_the_learning_rate()
    {
        var (w, step) = Quadratic(w => new Adam([w], 0.1));
        step();   // m̂ = g, v̂ = g², step = 0.1·g/(|g| + 1e-8) ≈ 0.1
        Assert.Equal(0.9, w.Item(), 7);
        step();   // g = 1.8; m = 0.1·1.8 + 0.9·0.2 = 0.36 → m̂ = 0.36/0.19; v = 0.001·3.24 + 0.999·0.004 = 0.007236 → v̂ = 0.007236/0.001999
        double mHat = 0.36 / 0.19, vHat = 0.007236 / (1 - (0.999 * 0.999));
        Assert.Equal(0.9 - (0.1 * mHat / (Math.Sqrt(vHat) + 1e-8)), w.Item(), 7);
    }

    [Fact]
    public void Invalid_hyperparameters_are_rejected_at_construction()
    {
        var w = Tensor.Zeros([1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([w], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([w], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([w], 0.1, momentum: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([w], 0.1, beta1: 1));
    }
}
