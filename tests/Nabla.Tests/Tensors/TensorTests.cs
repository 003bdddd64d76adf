using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public sealed class TensorTests
{
    [Fact]
    public void Creation_fills_shapes_and_values()
    {
        Assert.Equal(new double[6], Tensor.Zeros([2, 3]).ToDoubleArray());
        Assert.All(Tensor.Ones([4], DType.Float64).ToDoubleArray(), v => Assert.Equal(1.0, v));
        Assert.Equal([7.5, 7.5], Tensor.Full([2], 7.5, DType.Float64).ToDoubleArray());
        Assert.Equal([0.0, 0.5, 1.0, 1.5], Tensor.Arange(0, 2, 0.5, DType.Float64).ToDoubleArray());
        var m = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new Shape(2, 2), m.Shape);
        Assert.Equal(3.0, m[1, 0]);
        Assert.Equal(4.0, m[-1, -1]);
    }

    [Fact]
    public void Seeded_random_tensors_are_reproducible_and_have_the_right_moments()
    {
        var a = Tensor.Normal([10_000], 1, 2, new Random(5));
        var b = Tensor.Normal([10_000], 1, 2, new Random(5));
        Assert.Equal(a.ToFloatArray(), b.ToFloatArray());
        Assert.Equal(1.0, a.Mean().Item(), 1);
        Assert.Equal(2.0, Math.Sqrt((a - 1.0).Square().Mean().Item()), 1);
        var u = Tensor.Uniform([10_000], -3, 5, new Random(1), DType.Float64).ToDoubleArray();
        Assert.All(u, v => Assert.InRange(v, -3, 5));
    }

    [Fact]
    public void Elementwise_ops_broadcast_like_numpy()
    {
        var a = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], [2, 3]);
        var row = Tensor.FromArray([10.0, 20, 30], [3]);
        var column = Tensor.FromArray([100.0, 200], [2, 1]);
        Assert.Equal([11.0, 22, 33, 14, 25, 36], (a + row).ToDoubleArray());
        Assert.Equal([101.0, 102, 103, 204, 205, 206], (a + column).ToDoubleArray());
        Assert.Equal(new Shape(2, 3), (row + column).Shape);
        Assert.Equal([110.0, 120, 130, 210, 220, 230], (row + column).ToDoubleArray());
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3], (a / 2.0).ToDoubleArray());
        Assert.Equal([1.0, 4, 9, 16, 25, 36], a.Pow(2).ToDoubleArray());
    }

    [Fact]
    public void Broadcast_errors_name_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]) + Tensor.Zeros([4]));
        Assert.Contains("(2, 3)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(4,)", e.Message, StringComparison.Ordinal);
        var m = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])));
        Assert.Contains("(2, 3)", m.Message, StringComparison.Ordinal);
        Assert.Contains("(4, 5)", m.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unary_ops_match_the_scalar_math()
    {
        double[] x = [-2.5, -0.1, 0, 0.3, 4];
        var t = Tensor.FromArray(x);
        AssertClose(x.Select(Math.Exp), t.Exp());
        AssertClose(x.Select(Math.Abs), t.Abs());
        AssertClose(x.Select(Math.Tanh), t.Tanh());
        AssertClose(x.Select(v => 1 / (1 + Math.Exp(-v))), t.Sigmoid());
        AssertClose(x.Select(v => Math.Max(0, v)), t.Relu());
        AssertClose(x.Select(v => v > 0 ? v : 0.2 * v), t.LeakyRelu(0.2));
        AssertClose(x.Select(v => Math.Log(Math.Abs(v) + 1)), (t.Abs() + 1.0).Log());
        AssertClose(x.Select(v => Math.Sqrt(Math.Abs(v))), t.Abs().Sqrt());
        AssertClose(x.Select(v => Math.Max(v, 0.3)), t.Maximum(0.3));
        AssertClose(x.Select(v => Math.Min(v, 0.3)), t.Minimum(0.3));
        AssertClose(x.Select(v => v > 0 ? 1.0 : 0.0), t.Greater(0));
        AssertClose(x.Select(v => v < 0 ? v : -v), Tensor.Where(t.Less(0), t, -t));
    }

    [Fact]
    public void Reductions_work_over_any_axes_with_and_without_keepdims()
    {
        var t = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        Assert.Equal(276.0, t.Sum().Item());
        var s0 = t.Sum(0);
        Assert.Equal(new Shape(3, 4), s0.Shape);
        Assert.Equal(12.0, s0[0, 0]);
        var s02 = t.Sum([0, 2], keepDims: true);
        Assert.Equal(new Shape(1, 3, 1), s02.Shape);
        Assert.Equal([60.0, 92, 124], s02.ToDoubleArray());
        Assert.Equal([1.5, 5.5, 9.5, 13.5, 17.5, 21.5], t.Mean(-1).ToDoubleArray());
        Assert.Equal([20.0, 21, 22, 23], t.Max([0, 1]).ToDoubleArray());
        Assert.Equal([3, 3, 3, 3, 3, 3], t.ArgMax(-1));
        Assert.Equal([2, 2, 2, 2, 2, 2, 2, 2], t.ArgMax(1));
        Assert.Equal(0.0, t.Min().Item());
    }

    [Fact]
    public void Softmax_is_stable_for_large_scores_and_sums_to_one()
    {
        var logits = Tensor.FromArray([1000.0, 1001, 1002, -5, 0, 5], [2, 3]);
        var p = logits.Softmax();
        Assert.False(p.HasNonFinite());
        var rows = p.Sum(1).ToDoubleArray();
        Assert.All(rows, r => Assert.Equal(1.0, r, 12));
        double z = Math.Exp(-2) + Math.Exp(-1) + 1;
        Assert.Equal(1 / z, p[0, 2], 12);
        var logP = logits.LogSoftmax();
        Assert.Equal(-Math.Log(z), logP[0, 2], 12);
        Assert.Equal(1002 + Math.Log(z), logits.LogSumExp(1)[0], 9);
    }

    [Fact]
    public void Reshape_views_share_storage_and_infer_one_dimension()
    {
        var t = Tensor.Arange(0, 6, 1, DType.Float64);
        var v = t.Reshape(2, -1);
        Assert.Equal(new Shape(2, 3), v.Shape);
        t.AsSpan<double>()[5] = 50;
        Assert.Equal(50.0, v[1, 2]);
        Assert.Throws<ArgumentException>(() => t.Reshape(4, -1));
        Assert.Throws<ArgumentException>(() => t.Reshape(new Shape(4, 2)));
    }

    [Fact]
    public void Permute_transpose_slice_select_and_concat_move_the_right_elements()
    {
        var t = Tensor.Arange(0, 24, 1, DType.Float64).Reshape(2, 3, 4);
        var p = t.Permute(2, 0, 1);
        Assert.Equal(new Shape(4, 2, 3), p.Shape);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 4; k++) Assert.Equal(t[i, j, k], p[k, i, j]);
            }
        }

        var m = Tensor.Arange(0, 6, 1, DType.Float64).Reshape(2, 3);
        Assert.Equal([0.0, 3, 1, 4, 2, 5], m.T.ToDoubleArray());
        Assert.Equal([1.0, 2, 4, 5], m.Slice(1, 1, 2).ToDoubleArray());
        Assert.Equal([3.0, 4, 5], m.Select(0, 1).ToDoubleArray());
        Assert.Equal([1.0, 4], m.Select(1, -2).ToDoubleArray());
        var c = Tensor.Concat([m, m * 10.0], 1);
        Assert.Equal(new Shape(2, 6), c.Shape);
        Assert.Equal([0.0, 1, 2, 0, 10, 20, 3, 4, 5, 30, 40, 50], c.ToDoubleArray());
        Assert.Equal([3.0, 4, 5, 0, 1, 2], m.IndexRows([1, 0]).ToDoubleArray());
        Assert.Equal([2.0, 3], m.GatherRows([2, 0]).ToDoubleArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Slice(1, 2, 2));
        Assert.Throws<ArgumentException>(() => Tensor.Concat([m, Tensor.Zeros([3, 3], DType.Float64)], 1));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 13, 5)]
    [InlineData(129, 257, 31)]
    [InlineData(64, 64, 64)]
    [InlineData(5, 3, 17)]
    [InlineData(128, 784, 10)]
    public void MatMul_matches_a_triple_loop(int m, int k, int n)
    {
        var random = new Random(m * 31 + n);
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var a = Tensor.Normal([m, k], 0, 1, random, dtype);
            var b = Tensor.Normal([k, n], 0, 1, random, dtype);
            var c = a.MatMul(b);
            var bt = b.T;
            var ct = a.MatMulTransposed(bt);
            double tolerance = dtype == DType.Float32 ? 1e-3 * Math.Sqrt(k) : 1e-10 * k;
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[i, p] * b[p, j];
                    Assert.True(Math.Abs(s - c[i, j]) <= tolerance, $"{dtype} ({m}x{k}x{n}) C[{i},{j}] = {c[i, j]}, expected {s}");
                    Assert.True(Math.Abs(s - ct[i, j]) <= tolerance, $"{dtype} transposed C[{i},{j}] = {ct[i, j]}, expected {s}");
                }
            }
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Smooth_activations_and_their_gradients_are_the_same_on_one_thread_and_on_all_cores(DType dtype)
    {
        // Large enough to be split between threads: each element on its own, so the bits must not change.
        var x = Tensor.Normal([128, 1024], 0, 3, new Random(5)).To(dtype);
        foreach (Func<Tensor, Tensor> activation in new Func<Tensor, Tensor>[] { t => t.Gelu(), t => t.Silu(), t => t.Softplus(), t => t.Elu() })
        {
            (double[] Value, double[] Gradient) single, split;
            using (Parallelism.Limit(1)) single = ValueAndGradient(activation);
            using (Parallelism.Limit(Math.Max(2, Environment.ProcessorCount))) split = ValueAndGradient(activation);
            Assert.Equal(single.Value, split.Value);
            Assert.Equal(single.Gradient, split.Gradient);
        }

        (double[] Value, double[] Gradient) ValueAndGradient(Func<Tensor, Tensor> activation)
        {
            var input = x.Clone();
            input.RequiresGrad = true;
            var y = activation(input);
            y.Sum().Backward();
            return (y.ToDoubleArray(), input.Grad!.ToDoubleArray());
        }
    }

    [Fact]
    public void MatMul_is_the_same_on_one_thread_and_on_all_cores()
    {
        var random = new Random(3);
        var a = Tensor.Normal([256, 300], 0, 1, random);
        var b = Tensor.Normal([300, 200], 0, 1, random);
        float[] single;
        using (Parallelism.Limit(1)) single = a.MatMul(b).ToFloatArray();
        using (Parallelism.Limit(Math.Max(2, Environment.ProcessorCount))) Assert.Equal(single, a.MatMul(b).ToFloatArray());
    }

    [Fact]
    public void Batched_matmul_multiplies_each_batch_entry()
    {
        var random = new Random(9);
        var a = Tensor.Normal([3, 4, 5], 0, 1, random, DType.Float64);
        var b = Tensor.Normal([3, 5, 2], 0, 1, random, DType.Float64);
        var c = a.MatMul(b);
        Assert.Equal(new Shape(3, 4, 2), c.Shape);
        for (int i = 0; i < 3; i++)
        {
            var expected = a.Select(0, i).MatMul(b.Select(0, i)).ToDoubleArray();
            Assert.Equal(expected, c.Select(0, i).ToDoubleArray());
        }
    }

    [Fact]
    public void Mixed_dtypes_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]) + Tensor.Zeros([2], DType.Float64));
        Assert.Contains("float32", e.Message, StringComparison.Ordinal);
        Assert.Contains("float64", e.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(IEnumerable<double> expected, Tensor actual)
    {
        var e = expected.ToArray();
        var a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-12 * Math.Max(1, Math.Abs(e[i])), $"element {i}: {a[i]} vs {e[i]}");
    }
}
