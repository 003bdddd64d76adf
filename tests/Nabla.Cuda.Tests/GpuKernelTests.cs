using Nabla.Backends;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Cuda.Tests;

/// <summary>Every GPU kernel, run on ILGPU's CPU accelerator, agrees with the CPU backend's kernel for the same op-table
/// entry on the same random data: to 1e-6 of the result's largest magnitude in float32, 1e-12 in float64. Shapes are
/// odd and not multiples of the GPU's tiles, so that every edge guard runs.</summary>
[Collection(CpuAcceleratorCollection.Name)]
[Trait("Category", "Cuda")]
public sealed class GpuKernelTests(CpuAcceleratorFixture fixture)
{
    private readonly GpuKernels _gpu = fixture.Kernels;
    private readonly BackendOps _ops = fixture.Ops;
    private readonly Random _random = new(5);

    private static BackendOps Cpu => Backend.Cpu.Ops;

    public static TheoryData<string, DType> UnaryOperators() => Cross(["negate", "exp", "log", "sqrt", "abs", "sign", "pow2", "pow1.5", "sigmoid", "tanh", "relu", "leaky-relu", "leaky-relu-derivative"]);

    public static TheoryData<string, DType> BinaryOperators() => Cross(["add", "subtract", "multiply", "divide", "maximum", "minimum", "greater", "greater-or-equal", "less", "less-or-equal", "equal", "not-equal", "sigmoid-backward", "tanh-backward", "relu-backward", "select"]);

    [Theory]
    [MemberData(nameof(UnaryOperators))]
    public void Unary_operators_agree(string op, DType dtype)
    {
        bool positive = op is "log" or "sqrt" or "pow1.5";
        var values = Values(41, positive ? 0.1 : -3, 3);
        values[3] = positive ? 1 : 0;   // the kinks of sign, ReLU and leaky ReLU
        var (cx, gx) = Pair(dtype, values);
        var (cy, gy) = Pair(dtype, new double[41]);
        double alpha = op == "pow1.5" ? 1.5 : op == "pow2" ? 2 : 0.3;
        RunUnary(op, cx, cy, alpha, Cpu.Unary<NegateOperator>, Cpu.Unary<ExpOperator>, Cpu.Unary<LogOperator>, Cpu.Unary<SqrtOperator>, Cpu.Unary<AbsOperator>, Cpu.Unary<SignOperator>, Cpu.Unary<PowOperator>, Cpu.Unary<SigmoidOperator>, Cpu.Unary<TanhOperator>, Cpu.Unary<ReluOperator>, Cpu.Unary<LeakyReluOperator>, Cpu.Unary<LeakyReluDerivativeOperator>);
        RunUnary(op, gx, gy, alpha, _ops.Unary<NegateOperator>, _ops.Unary<ExpOperator>, _ops.Unary<LogOperator>, _ops.Unary<SqrtOperator>, _ops.Unary<AbsOperator>, _ops.Unary<SignOperator>, _ops.Unary<PowOperator>, _ops.Unary<SigmoidOperator>, _ops.Unary<TanhOperator>, _ops.Unary<ReluOperator>, _ops.Unary<LeakyReluOperator>, _ops.Unary<LeakyReluDerivativeOperator>);
        AssertClose(cy, gy, dtype, op);
    }

    [Theory]
    [MemberData(nameof(BinaryOperators))]
    public void Binary_operators_agree_elementwise_with_scalars_and_broadcast(string op, DType dtype)
    {
        // (x dims, y dims, d dims): equal shapes, a scalar on either side, and broadcasts along inner, middle and
        // outer axes.
        int[][][] cases =
        [
            [[2, 3, 5], [2, 3, 5], [2, 3, 5]],
            [[1], [2, 3, 5], [2, 3, 5]],
            [[2, 3, 5], [1], [2, 3, 5]],
            [[2, 3, 5], [3, 1], [2, 3, 5]],
            [[2, 3, 5], [5], [2, 3, 5]],
            [[4, 1, 5], [3, 1], [4, 3, 5]],
            [[3, 1], [1, 7], [3, 7]],
        ];
        foreach (var c in cases)
        {
            int xCount = c[0].Aggregate(1, (a, b) => a * b), yCount = c[1].Aggregate(1, (a, b) => a * b), dCount = c[2].Aggregate(1, (a, b) => a * b);
            var x = Values(xCount, -2, 2);
            var y = Values(yCount, 0.5, 2);   // away from 0: a divisor
            if (yCount == xCount) y[1] = x[1];   // an equal pair for the comparisons
            var (cx, gx) = Pair(dtype, x);
            var (cy, gy) = Pair(dtype, y);
            var (cd, gd) = Pair(dtype, new double[dCount]);
            RunBinary(op, (cx, c[0]), (cy, c[1]), (cd, c[2]), Cpu);
            RunBinary(op, (gx, c[0]), (gy, c[1]), (gd, c[2]), null);
            AssertClose(cd, gd, dtype, $"{op} of {string.Join('×', c[0])} and {string.Join('×', c[1])}");
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void In_place_updates_agree_on_their_ranges(DType dtype)
    {
        var values = Values(50, -2, 2);
        var other = Values(50, -2, 2);
        var (cs, gs) = Pair(dtype, values);
        var (cg, gg) = Pair(dtype, other);
        Cpu.AddInPlace(cs, cg, 7, 31);
        _ops.AddInPlace(gs, gg, 7, 31);
        AssertClose(cs, gs, dtype, "AddInPlace");
        Cpu.MaskByPositive(cs, cg, 5, 40);
        _ops.MaskByPositive(gs, gg, 5, 40);
        AssertClose(cg, gg, dtype, "MaskByPositive");
        Cpu.Scale(cs, -0.37);
        _ops.Scale(gs, -0.37);
        AssertClose(cs, gs, dtype, "Scale");
        Cpu.Clamp(cs, 0.5);
        _ops.Clamp(gs, 0.5);
        AssertClose(cs, gs, dtype, "Clamp");
        Cpu.Clear(cs);
        _ops.Clear(gs);
        AssertClose(cs, gs, dtype, "Clear");
        Assert.All(Storage.Host(gs), v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Reductions_agree(DType dtype)
    {
        // The CPU adds a whole axis of contiguous values in vector lanes, the GPU in order: sums of the same terms in
        // two orders agree to the terms' size, Σ|x| (n·ε of it at worst), not to the size of a sum that cancels.
        // The long axes are cut into parts (GpuKernels.ReductionParts): a whole tensor's sum, three sums of 3,000.
        var x = Values(9000, -3, 3);
        var (cx, gx) = Pair(dtype, x);
        Assert.True(GpuKernels.ReductionParts(1, 9000) > 1 && GpuKernels.ReductionParts(3, 3000) > 1, "the long cases below are cut into parts");
        foreach (var (outer, n, inner) in new[] { (3, 20, 7), (1, 128, 1), (60, 7, 1), (1, 20, 21), (1, 9000, 1), (1, 3000, 3), (3, 3000, 1) })
        {
            var (cy, gy) = Pair(dtype, new double[outer * inner]);
            Cpu.SumAxis(cx, outer, n, inner, cy);
            _ops.SumAxis(gx, outer, n, inner, gy);
            double terms = Enumerable.Range(0, outer * inner).Max(o => Enumerable.Range(0, n).Sum(k => Math.Abs(x[((o / inner * n) + k) * inner + (o % inner)])));
            AssertClose(cy, gy, dtype, $"SumAxis {outer}×{n}×{inner}", terms);
            Cpu.MaxAxis(cx, outer, n, inner, cy);
            _ops.MaxAxis(gx, outer, n, inner, gy);
            AssertClose(cy, gy, dtype, $"MaxAxis {outer}×{n}×{inner}");
        }

        var (cs, gs) = Pair(dtype, new double[21]);
        Cpu.SumRows(cx, 20, 21, cs);
        _ops.SumRows(gx, 20, 21, gs);
        AssertClose(cs, gs, dtype, "SumRows", 20 * 3);
    }

    [Theory]
    [InlineData(DType.Float32, false, false)]
    [InlineData(DType.Float32, true, false)]
    [InlineData(DType.Float32, false, true)]
    [InlineData(DType.Float32, true, true)]
    [InlineData(DType.Float64, false, false)]
    [InlineData(DType.Float64, true, false)]
    [InlineData(DType.Float64, false, true)]
    [InlineData(DType.Float64, true, true)]
    public void Matrix_products_agree_with_transposes_and_offsets(DType dtype, bool transposeA, bool transposeB)
    {
        const int m = 19, k = 37, n = 23, aOffset = 5, bOffset = 3, cOffset = 11;
        var (ca, ga) = Pair(dtype, Values(aOffset + (m * k), -1, 1));
        var (cb, gb) = Pair(dtype, Values(bOffset + (k * n), -1, 1));
        var (cc, gc) = Pair(dtype, new double[cOffset + (m * n) + 4]);
        Cpu.MatMul(ca, aOffset, transposeA, cb, bOffset, transposeB, cc, cOffset, m, k, n);
        _ops.MatMul(ga, aOffset, transposeA, gb, bOffset, transposeB, gc, cOffset, m, k, n);   // per element; cuBLAS on a GPU
        AssertClose(cc, gc, dtype, $"MatMul transposeA={transposeA} transposeB={transposeB}");

        // The GPU's tiled kernel, on an accelerator with GPU-sized groups.
        using var tiled = GpuKernels.OnCpuAccelerator(gpuGroups: true);
        var (ta, tb, tc) = (Storage.Gpu(tiled, dtype, Storage.Host(ca)), Storage.Gpu(tiled, dtype, Storage.Host(cb)), Storage.Gpu(tiled, dtype, new double[cOffset + (m * n) + 4]));
        tiled.MatMul(ta, aOffset, transposeA, tb, bOffset, transposeB, tc, cOffset, m, k, n);
        AssertClose(cc, tc, dtype, $"tiled MatMul transposeA={transposeA} transposeB={transposeB}");
    }

    [Theory]
    [InlineData(DType.Float32, true, false)]
    [InlineData(DType.Float32, true, true)]
    [InlineData(DType.Float32, false, true)]
    [InlineData(DType.Float64, true, false)]
    [InlineData(DType.Float64, true, true)]
    [InlineData(DType.Float64, false, false)]
    public void Linear_layers_agree_with_their_bias_and_relu(DType dtype, bool bias, bool relu)
    {
        const int rows = 9, inputs = 33, outputs = 18;
        var (cx, gx) = Pair(dtype, Values(rows * inputs, -1, 1));
        var (cw, gw) = Pair(dtype, Values(outputs * inputs, -1, 1));
        var (cb, gb) = Pair(dtype, Values(outputs, -1, 1));
        var (cy, gy) = Pair(dtype, new double[rows * outputs]);
        Cpu.Linear(cx, cw, bias ? cb : null, cy, rows, inputs, outputs, relu);
        _ops.Linear(gx, gw, bias ? gb : null, gy, rows, inputs, outputs, relu);
        AssertClose(cy, gy, dtype, "Linear");
        using var tiled = GpuKernels.OnCpuAccelerator(gpuGroups: true);
        var ty = Storage.Gpu(tiled, dtype, new double[rows * outputs]);
        tiled.Linear(Storage.Gpu(tiled, dtype, Storage.Host(cx)), Storage.Gpu(tiled, dtype, Storage.Host(cw)), bias ? Storage.Gpu(tiled, dtype, Storage.Host(cb)) : null, ty, rows, inputs, outputs, relu);
        AssertClose(cy, ty, dtype, "tiled Linear");
        if (relu) Assert.Contains(Storage.Host(gy), v => v == 0);   // the ReLU cut something
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Softmax_cross_entropy_agrees_in_loss_and_gradient(DType dtype)
    {
        const int rows = 13, classes = 10;
        var logits = Values(rows * classes, -4, 4);
        logits[5] = 40;   // a large logit: the max is subtracted before exp
        var labels = Enumerable.Range(0, rows).Select(_ => _random.Next(classes)).ToArray();
        var (cz, gz) = Pair(dtype, logits);
        var (cg, gg) = Pair(dtype, new double[rows * classes]);
        double cpuLoss = Cpu.SoftmaxCrossEntropy(cz, labels, rows, classes, cg);
        double gpuLoss = _ops.SoftmaxCrossEntropy(gz, labels, rows, classes, gg);
        double tolerance = dtype == DType.Float32 ? 1e-6 : 1e-12;
        Assert.True(Math.Abs(cpuLoss - gpuLoss) <= tolerance * Math.Abs(cpuLoss), $"loss {gpuLoss} on the GPU, {cpuLoss} on the CPU");
        AssertClose(cg, gg, dtype, "softmax cross-entropy gradient");
    }

    [Fact]
    public void A_buffer_on_the_CPU_is_refused_naming_its_device()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _ops.Scale(new CpuStorage<float>(new float[4]), 2));
        Assert.Contains("cpu", error.Message, StringComparison.Ordinal);
        Assert.Contains("on cuda", error.Message, StringComparison.Ordinal);
    }

    private static TheoryData<string, DType> Cross(string[] names)
    {
        var data = new TheoryData<string, DType>();
        foreach (var name in names)
        {
            data.Add(name, DType.Float32);
            data.Add(name, DType.Float64);
        }

        return data;
    }

    private delegate void UnaryEntry(BackendStorage x, double alpha, BackendStorage y, int start, int count);

    private static void RunUnary(string op, BackendStorage x, BackendStorage y, double alpha, params UnaryEntry[] entries)
    {
        int index = op switch
        {
            "negate" => 0,
            "exp" => 1,
            "log" => 2,
            "sqrt" => 3,
            "abs" => 4,
            "sign" => 5,
            "pow2" or "pow1.5" => 6,
            "sigmoid" => 7,
            "tanh" => 8,
            "relu" => 9,
            "leaky-relu" => 10,
            _ => 11,
        };
        entries[index](x, alpha, y, 0, x.Length);
    }

    /// <summary>The binary entry for <paramref name="op"/> on the CPU table, or on the GPU kernels when
    /// <paramref name="cpu"/> is null.</summary>
    private void RunBinary(string op, (BackendStorage S, int[] Dims) x, (BackendStorage S, int[] Dims) y, (BackendStorage S, int[] Dims) d, BackendOps? cpu)
    {
        switch (op)
        {
            case "add": Run<AddOperator>(); break;
            case "subtract": Run<SubtractOperator>(); break;
            case "multiply": Run<MultiplyOperator>(); break;
            case "divide": Run<DivideOperator>(); break;
            case "maximum": Run<MaximumOperator>(); break;
            case "minimum": Run<MinimumOperator>(); break;
            case "greater": Run<GreaterOperator>(); break;
            case "greater-or-equal": Run<GreaterOrEqualOperator>(); break;
            case "less": Run<LessOperator>(); break;
            case "less-or-equal": Run<LessOrEqualOperator>(); break;
            case "equal": Run<EqualOperator>(); break;
            case "not-equal": Run<NotEqualOperator>(); break;
            case "sigmoid-backward": Run<SigmoidBackwardOperator>(); break;
            case "tanh-backward": Run<TanhBackwardOperator>(); break;
            case "relu-backward": Run<ReluBackwardOperator>(); break;
            default: Run<SelectOperator>(); break;
        }

        void Run<TOp>()
            where TOp : struct, IBinaryOperator<TOp>
        {
            if (cpu is not null) cpu.Binary<TOp>(x.S, x.Dims, y.S, y.Dims, d.S, d.Dims);
            else _ops.Binary<TOp>(x.S, x.Dims, y.S, y.Dims, d.S, d.Dims);
        }
    }

    private double[] Values(int count, double low, double high) => [.. Enumerable.Range(0, count).Select(_ => low + ((high - low) * _random.NextDouble()))];

    /// <summary>The same values on the CPU and on the accelerator.</summary>
    private (BackendStorage Cpu, BackendStorage Gpu) Pair(DType dtype, double[] values) => (Storage.Cpu(dtype, values), Storage.Gpu(_gpu, dtype, values));

    private static void AssertClose(BackendStorage cpu, BackendStorage gpu, DType dtype, string what, double? scale = null) => Storage.AssertClose(cpu, gpu, dtype, what, scale);
}
