using System.Numerics;
using Nabla.Kernels.Gemm;

namespace Nabla.Tests.Kernels;

/// <summary>Every micro-kernel, every transposition and every edge against a plain triple loop in float64.</summary>
[Collection(Nabla.Tests.Threading.ThreadCountCollection.Name)]
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 },
        { 7, 13, 5 },
        { 129, 257, 31 },
        { 8, 300, 33 },     // k longer than one depth block, n one past a 32-wide tile
        { 33, 2, 70 },
        { 128, 784, 10 },   // W1's last layer
        { 37, 300, 5 },     // a narrow A·Bᵀ with a short last block of rows
        { 100, 10, 64 },    // shallow: W1's fc3 input gradient, whole tiles written straight into C
        { 150, 40, 65 },    // m past one row block
        { 3, 600, 2100 },   // n past one column block, k past two depth blocks
        { 12, 8, 16 },      // six-row A panels transposed 6 × 8 at a time, one block of depth, nothing left over
        { 18, 23, 48 },     // the same with a depth tail of seven
        { 12, 5, 70 },      // transposed six-row A panels read eight wide: the last panel's reads run into the next stored row
        { 6, 1, 700 },      // the same with one depth only, all of it copied value by value
        { 128, 40, 37 },    // the AVX2 kernel: 20 full panels and two short four-row ones (a rest of 2)
        { 7, 33, 20 },      // a rest of 1 with one full panel: two short panels, one row padded
        { 22, 9, 18 },      // a rest of 4: one short panel; { 23, … } a rest of 5: one padded full panel
        { 23, 300, 18 },
        { 141, 17, 40 },    // row blocks of 126 and 15 = 6 + 6 + 3: a short panel pads one row
        { 137, 17, 40 },    // 126 + 11: the thin rest joins the block, 137 = 22 × 6 + 5, one padded full panel
        { 1024, 3, 17 },    // row blocks of 126 and a last one of 16 = 6 + 6 + 4
        { 40, 20, 1024 },   // few rows but B's rows 4 KiB apart: B packed
        { 330, 20, 70 },    // more rows than B is read in place for: B packed
        { 64, 300, 150 },   // B read in place: whole panels over two depth slices, the part-filled last one packed
        { 200, 300, 64 },   // few columns: plain A read in place over two depth slices and two row blocks, last panel packed
        { 30, 1024, 40 },   // few columns but A's rows 4 KiB apart: A packed
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_kernel_and_transposition_matches_a_triple_loop_in_float32_and_float64(int m, int k, int n)
    {
        var random = new Random((m * 7919) + (k * 31) + n);
        // null: the default choice, which may take the dot-product path for narrow A·Bᵀ.
        foreach (GemmKernel? kernel in new GemmKernel?[] { null, GemmKernel.Vector128, GemmKernel.Vector256, GemmKernel.Vector512 })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    Check<float>(random, kernel, m, k, n, transposeA, transposeB, withBias: false, relu: false, accumulate: false);
                    Check<double>(random, kernel, m, k, n, transposeA, transposeB, withBias: false, relu: false, accumulate: false);
                }
            }

            // The epilogue (bias, ReLU) and the accumulating form, on one transposition each.
            Check<float>(random, kernel, m, k, n, false, true, withBias: true, relu: true, accumulate: false);
            Check<float>(random, kernel, m, k, n, false, false, withBias: false, relu: true, accumulate: false);
            Check<double>(random, kernel, m, k, n, true, false, withBias: true, relu: false, accumulate: true);
        }
    }

    /// <summary>Products with at most 12 rows or columns: every row count, 12-row groups split for AVX2 (10 = 5 + 5,
    /// 7 = 4 + 3), column counts around the 16- and 32-wide tiles, depths of 1 and past a block; on AVX2 a transposed B
    /// is packed whole once for all groups when it fits the buffer (64 K values), block by block when not.</summary>
    public static TheoryData<int, int, int> SmallRowsShapes => new()
    {
        { 1, 1, 1 },
        { 1, 7, 33 },
        { 2, 3, 16 },
        { 3, 64, 32 },
        { 6, 2, 15 },
        { 7, 300, 17 },
        { 10, 256, 128 },   // W1 fc3's weight gradient, Gᵀ·H2 (10 × 256 in training)
        { 128, 256, 10 },   // W1 fc3's forward, as Cᵀ
        { 11, 13, 47 },
        { 12, 5, 31 },
        { 37, 13, 11 },
        { 200, 9, 12 },
        { 10, 300, 250 },   // 300 × 256 values: too many to pack whole, so each group packs block by block
    };

    [Theory]
    [MemberData(nameof(SmallRowsShapes))]
    public void The_small_rows_path_matches_a_triple_loop_on_both_tile_widths(int m, int k, int n)
    {
        var random = new Random((m * 31) + (k * 7) + n);
        foreach (var kernel in new[] { GemmKernel.Vector512, GemmKernel.Vector256 })
        {
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    Check<float>(random, kernel, m, k, n, transposeA, transposeB, withBias: false, relu: false, accumulate: false, smallRows: true);
                    Check<double>(random, kernel, m, k, n, transposeA, transposeB, withBias: false, relu: false, accumulate: false, smallRows: true);
                }
            }

            Check<float>(random, kernel, m, k, n, false, true, withBias: true, relu: true, accumulate: false, smallRows: true);
            Check<float>(random, kernel, m, k, n, true, false, withBias: true, relu: false, accumulate: true, smallRows: true);
            Check<double>(random, kernel, m, k, n, false, false, withBias: false, relu: true, accumulate: true, smallRows: true);
        }
    }

    [Fact]
    public void A_parallel_product_equals_the_single_threaded_one_bit_for_bit()
    {
        // Threads split C into whole tiles and each element's sum runs in the same order, so the results are identical.
        var random = new Random(5);
        int m = 300, k = 700, n = 530;
        var a = RandomArray<float>(random, m * k);
        var b = RandomArray<float>(random, k * n);
        var bias = RandomArray<float>(random, n);
        foreach (bool transposeA in new[] { false, true })
        {
            var single = new float[m * n];
            var parallel = new float[m * n];
            using (Parallelism.Limit(1)) Gemm.Multiply(a, 0, transposeA, b, 0, false, single, 0, m, k, n, bias);
            using (Parallelism.Limit(4)) Gemm.Multiply(a, 0, transposeA, b, 0, false, parallel, 0, m, k, n, bias);

            Assert.Equal(single, parallel);
        }
    }

    [Fact]
    public void Offsets_into_larger_buffers_are_respected_and_nothing_outside_C_is_written()
    {
        var random = new Random(9);
        int m = 20, k = 17, n = 40, pad = 5;
        var a = RandomArray<double>(random, pad + (m * k));
        var b = RandomArray<double>(random, pad + (k * n));
        var c = Enumerable.Repeat(-7.0, (2 * pad) + (m * n)).ToArray();
        Gemm.Multiply(a, pad, false, b, pad, false, c, pad, m, k, n);
        for (int i = 0; i < pad; i++)
        {
            Assert.Equal(-7.0, c[i]);
            Assert.Equal(-7.0, c[pad + (m * n) + i]);
        }

        var expected = Reference(a.AsSpan(pad).ToArray(), false, b.AsSpan(pad).ToArray(), false, m, k, n);
        for (int i = 0; i < m * n; i++) Assert.Equal(expected[i], c[pad + i], 1e-10);
    }

    private static void Check<T>(Random random, GemmKernel? kernel, int m, int k, int n, bool transposeA, bool transposeB, bool withBias, bool relu, bool accumulate, bool smallRows = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = RandomArray<T>(random, m * k);
        var b = RandomArray<T>(random, k * n);
        var bias = withBias ? RandomArray<T>(random, n) : null;
        var initial = RandomArray<T>(random, m * n);
        var c = (T[])initial.Clone();
        if (smallRows) Gemm.RunSmallRows(a, 0, transposeA, b, 0, transposeB, c, 0, m, k, n, bias, relu, accumulate, kernel!.Value);
        else Gemm.Multiply(a, 0, transposeA, b, 0, transposeB, c, 0, m, k, n, bias, relu, accumulate, kernel);

        var expected = Reference(ToDouble(a), transposeA, ToDouble(b), transposeB, m, k, n);
        double tolerance = typeof(T) == typeof(float) ? 1e-5 * (k + 1) : 1e-12 * (k + 1);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double want = expected[(i * n) + j] + (bias is null ? 0 : double.CreateChecked(bias[j])) + (accumulate ? double.CreateChecked(initial[(i * n) + j]) : 0);
                if (relu) want = Math.Max(want, 0);
                double got = double.CreateChecked(c[(i * n) + j]);
                Assert.True(
                    Math.Abs(want - got) <= tolerance,
                    $"{typeof(T).Name} {kernel?.ToString() ?? "default"}{(smallRows ? " small rows" : "")} {m}×{k}×{n} transposeA={transposeA} transposeB={transposeB} bias={withBias} relu={relu} accumulate={accumulate}: C[{i},{j}] = {got}, expected {want}");
            }
        }
    }

    /// <summary>The definition: C[i, j] = Σₚ op(A)[i, p]·op(B)[p, j], in float64.</summary>
    private static double[] Reference(double[] a, bool transposeA, double[] b, bool transposeB, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (transposeA ? a[(p * m) + i] : a[(i * k) + p]) * (transposeB ? b[(j * k) + p] : b[(p * n) + j]);
                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    private static T[] RandomArray<T>(Random random, int length)
        where T : INumberBase<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++) values[i] = T.CreateChecked((random.NextDouble() * 2) - 1);
        return values;
    }

    private static double[] ToDouble<T>(T[] values)
        where T : INumberBase<T> => values.Select(double.CreateChecked).ToArray();
}
