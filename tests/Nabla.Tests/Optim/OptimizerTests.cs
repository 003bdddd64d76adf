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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Long_parameters_take_the_vectorised_path_with_the_same_updates_as_the_element_by_element_equations(bool float64)
    {
        // 37 elements: several whole vectors and a scalar tail, whatever the vector width.
        var random = new Random(4);
        var values = Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradients = Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.5).ToArray();
        var dtype = float64 ? DType.Float64 : DType.Float32;
        double tolerance = float64 ? 1e-14 : 1e-6;

        var sgdW = Tensor.FromArray(values, [37]).To(dtype);
        var adamW = Tensor.FromArray(values, [37]).To(dtype);
        var sgd = new Sgd([sgdW], 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01);
        var adam = new Adam([adamW], 0.01, weightDecay: 0.01);
        for (int step = 0; step < 2; step++)
        {
            // The gradient of L = Σ gᵢ·wᵢ is g, whatever w is.
            sgd.ZeroGrad();
            adam.ZeroGrad();
            sgdW.RequiresGrad = adamW.RequiresGrad = true;
            var g = Tensor.FromArray(gradients, [37]).To(dtype);
            (sgdW * g).Sum().Backward();
            (adamW * g).Sum().Backward();
            sgd.Step();
            adam.Step();
        }

        for (int i = 0; i < 37; i++)
        {
            // SGD with Nesterov momentum and weight decay, twice, by the equations of Sgd's remarks.
            double w = values[i], v = 0;
            for (int step = 0; step < 2; step++)
            {
                double g = gradients[i] + (0.01 * w);
                v = (0.9 * v) + g;
                w -= 0.1 * (g + (0.9 * v));
            }

            Assert.Equal(w, sgdW[i], tolerance);

            // Adam, twice.
            double wa = values[i], m = 0, s = 0;
            for (int t = 1; t <= 2; t++)
            {
                double g = gradients[i] + (0.01 * wa);
                m = (0.9 * m) + (0.1 * g);
                s = (0.999 * s) + (0.001 * g * g);
                wa -= 0.01 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(s / (1 - Math.Pow(0.999, t))) + 1e-8);
            }

            Assert.Equal(wa, adamW[i], tolerance);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamW_RmsProp_and_Adagrad_follow_their_equations_on_the_vector_path_and_the_tail(bool float64)
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradients = Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.5).ToArray();
        var dtype = float64 ? DType.Float64 : DType.Float32;
        double tolerance = float64 ? 1e-13 : 2e-6;
        var w = new[] { Tensor.FromArray(values, [37]).To(dtype), Tensor.FromArray(values, [37]).To(dtype), Tensor.FromArray(values, [37]).To(dtype) };
        Optimizer[] optimizers = [new AdamW([w[0]], 0.01, weightDecay: 0.1), new RmsProp([w[1]], 0.01, weightDecay: 0.01), new Adagrad([w[2]], 0.1, weightDecay: 0.01)];
        for (int step = 0; step < 3; step++)
        {
            for (int k = 0; k < 3; k++)
            {
                optimizers[k].ZeroGrad();
                w[k].RequiresGrad = true;
                (w[k] * Tensor.FromArray(gradients, [37]).To(dtype)).Sum().Backward();   // ∇W = the gradients
                optimizers[k].Step();
            }
        }

        for (int i = 0; i < 37; i++)
        {
            double a = values[i], m = 0, v = 0, r = values[i], s = 0, d = values[i], sum = 0;
            for (int t = 1; t <= 3; t++)
            {
                double g = gradients[i];
                a *= 1 - (0.01 * 0.1);   // AdamW: decay outside the adaptive step
                m = (0.9 * m) + (0.1 * g);
                v = (0.999 * v) + (0.001 * g * g);
                a -= 0.01 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);

                double gr = g + (0.01 * r);   // RMSProp, L2 decay in the gradient
                s = (0.99 * s) + (0.01 * gr * gr);
                r -= 0.01 * gr / (Math.Sqrt(s) + 1e-8);

                double gd = g + (0.01 * d);   // Adagrad
                sum += gd * gd;
                d -= 0.1 * gd / (Math.Sqrt(sum) + 1e-10);
            }

            Assert.Equal(a, w[0][i], tolerance);
            Assert.Equal(r, w[1][i], tolerance);
            Assert.Equal(d, w[2][i], tolerance);
        }
    }

    [Fact]
    public void Clipping_by_norm_scales_all_gradients_together_and_by_value_clamps_each()
    {
        var a = Tensor.FromArray([3.0, 0], [2]);
        var b = Tensor.FromArray([0.0, 4], [2]);
        a.RequiresGrad = b.RequiresGrad = true;
        (a * Tensor.FromArray([3.0, 0], [2])).Sum().Backward();   // ∇a = (3, 0)
        (b * Tensor.FromArray([0.0, 4], [2])).Sum().Backward();   // ∇b = (0, 4): joint norm 5
        Assert.Equal(5, GradientClipping.ClipByNorm([a, b], 10), 12);   // under the limit: unchanged
        Assert.Equal([3.0, 0], a.Grad!.ToDoubleArray());
        Assert.Equal(5, GradientClipping.ClipByNorm([a, b], 1), 12);
        Assert.Equal(0.6, a.Grad![0], 6);
        Assert.Equal(0.8, b.Grad![1], 6);
        GradientClipping.ClipByValue([a, b], 0.7);
        Assert.Equal(0.6, a.Grad[0], 6);                  // inside the limit: unchanged
        Assert.Equal([0.0, 0.7], b.Grad!.ToDoubleArray());   // 0.8 clamped
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm([a], double.NaN));
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
