using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nabla.Kernels.Convolution;

namespace Nabla.Kernels;

/// <summary>Max pooling's forward loop: y[o] = the window's maximum, argMax[o] = the flat index of the input taken
/// (the first maximum in scan order on ties; NaN wins, as in PyTorch). Planes are the N·C channel images.</summary>
internal static class MaxPoolKernel
{
    /// <summary>The planes [<paramref name="firstPlane"/>, <paramref name="endPlane"/>): parts of one batch run on
    /// different threads (<see cref="MaxPoolPass{T}"/>).</summary>
    public static void Forward<T>(T[] x, T[] y, int[] argMax, int firstPlane, int endPlane, Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g is { KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2, PaddingHeight: 0, PaddingWidth: 0, DilationHeight: 1, DilationWidth: 1 })
        {
            ForwardTwoByTwo(x, y, argMax, firstPlane, endPlane, g);
            return;
        }

        int oh = g.OutputHeight, ow = g.OutputWidth, planeSize = g.Height * g.Width;
        int o = firstPlane * oh * ow;
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            int planeStart = plane * planeSize;
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++, o++)
                {
                    T best = T.NegativeInfinity;
                    int bestIndex = -1;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        int iy = (i * g.StrideHeight) - g.PaddingHeight + (kh * g.DilationHeight);
                        if ((uint)iy >= (uint)g.Height) continue;
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ix = (j * g.StrideWidth) - g.PaddingWidth + (kw * g.DilationWidth);
                            if ((uint)ix >= (uint)g.Width) continue;
                            int index = planeStart + (iy * g.Width) + ix;
                            T value = x[index];
                            // Strictly greater keeps the first maximum; NaN propagates, as in PyTorch.
                            if (bestIndex < 0 || value > best || T.IsNaN(value))
                            {
                                best = value;
                                bestIndex = index;
                                if (T.IsNaN(value)) goto Found;
                            }
                        }
                    }

                Found:
                    y[o] = best;
                    argMax[o] = bestIndex;
                }
            }
        }
    }

    /// <summary>The common 2×2 window with stride 2, without the general loop's bounds checks: each output compares
    /// the four inputs (a, b / c, d) in scan order. <c>!(v &lt;= best)</c> takes v when it is larger or NaN, and
    /// a NaN once taken is kept: the first maximum wins, and NaN propagates. Float32 with AVX2 runs eight outputs at a
    /// time with the same comparisons as selects (<see cref="EightOutputs"/>): the scalar loop's branches depend on the
    /// data and are mispredicted about half the time, which made this pass 5% of W5's step.</summary>
    private static void ForwardTwoByTwo<T>(T[] x, T[] y, int[] argMax, int firstPlane, int endPlane, Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, width = g.Width, planeSize = g.Height * width;
        if (x.Length < endPlane * planeSize || y.Length < endPlane * oh * ow || argMax.Length < endPlane * oh * ow)
            throw new ArgumentException("max-pool: buffers too small for the geometry");
        ref T xs = ref MemoryMarshal.GetArrayDataReference(x);
        ref T ys = ref MemoryMarshal.GetArrayDataReference(y);
        ref int indices = ref MemoryMarshal.GetArrayDataReference(argMax);
        int o = firstPlane * oh * ow;
        Span<float> shortValues = stackalloc float[8];
        Span<int> shortIndices = stackalloc int[8];
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                int top = (plane * planeSize) + (2 * i * width), j = 0;
                if (typeof(T) == typeof(float) && Avx2.IsSupported)
                {
                    ref float xf = ref Unsafe.As<T, float>(ref xs);
                    int rowStart = o;
                    for (; j + 8 <= ow; j += 8, o += 8)
                        EightOutputs(ref xf, top + (2 * j), width, ref Unsafe.As<T, float>(ref Unsafe.Add(ref ys, o)), ref Unsafe.Add(ref indices, o));
                    if (j < ow && ow >= 8)
                    {
                        // The row's last outputs: one more block of eight ending at the row's end, over outputs the
                        // block before it already wrote, which come out the same (14 a row: two blocks, not 8 + 6
                        // scalar steps with their mispredicted branches).
                        int back = ow - 8;
                        EightOutputs(ref xf, top + (2 * back), width, ref Unsafe.As<T, float>(ref Unsafe.Add(ref ys, rowStart + back)), ref Unsafe.Add(ref indices, rowStart + back));
                        (j, o) = (ow, rowStart + ow);
                    }
                    else if (j < ow && top + width + 16 <= x.Length)
                    {
                        // Fewer than eight outputs a row (7 in W5's second pooling): a block of eight whose reads run
                        // past the row's end into the next rows (they exist: checked), of which only the row's own
                        // outputs are kept.
                        EightOutputs(ref xf, top, width, ref shortValues[0], ref shortIndices[0]);
                        for (; j < ow; j++, o++)
                        {
                            Unsafe.Add(ref ys, o) = Unsafe.As<float, T>(ref shortValues[j]);
                            Unsafe.Add(ref indices, o) = shortIndices[j];
                        }
                    }
                }

                for (; j < ow; j++, o++)
                {
                    int index = top + (2 * j), candidate = index + 1;
                    T best = Unsafe.Add(ref xs, index);
                    if (!T.IsNaN(best) && !(Unsafe.Add(ref xs, candidate) <= best)) (best, index) = (Unsafe.Add(ref xs, candidate), candidate);
                    candidate = top + width + (2 * j);
                    if (!T.IsNaN(best) && !(Unsafe.Add(ref xs, candidate) <= best)) (best, index) = (Unsafe.Add(ref xs, candidate), candidate);
                    candidate++;
                    if (!T.IsNaN(best) && !(Unsafe.Add(ref xs, candidate) <= best)) (best, index) = (Unsafe.Add(ref xs, candidate), candidate);
                    Unsafe.Add(ref ys, o) = best;
                    Unsafe.Add(ref indices, o) = index;
                }
            }
        }
    }

    /// <summary>Outputs of eight 2×2 windows side by side, the first at flat input index <paramref name="index"/>:
    /// a, b, c, d are the windows' four inputs in scan order, eight lanes each, and the scalar loop's rule runs as
    /// selects, so every lane chooses what the scalar loop chooses.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightOutputs(ref float x, int index, int width, ref float y, ref int argMax)
    {
        ref float top = ref Unsafe.Add(ref x, index);
        ref float bottom = ref Unsafe.Add(ref top, width);
        var (a, b) = EvenAndOdd(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref top, 8));
        var (c, d) = EvenAndOdd(Vector256.LoadUnsafe(ref bottom), Vector256.LoadUnsafe(ref bottom, 8));
        var best = a;
        var offset = Vector256<int>.Zero;
        Take(ref best, ref offset, b, Vector256.Create(1));
        Take(ref best, ref offset, c, Vector256.Create(width));
        Take(ref best, ref offset, d, Vector256.Create(width + 1));
        best.StoreUnsafe(ref y);
        (Vector256.Create(index) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14) + offset).StoreUnsafe(ref argMax);
    }

    /// <summary>best, offset ← v, vOffset in the lanes where the scalar loop takes v: best is not NaN and
    /// !(v &lt;= best).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref Vector256<float> best, ref Vector256<int> offset, Vector256<float> v, Vector256<int> vOffset)
    {
        var take = Vector256.AndNot(Vector256.Equals(best, best), Vector256.LessThanOrEqual(v, best));
        best = Vector256.ConditionalSelect(take, v, best);
        offset = Vector256.ConditionalSelect(take.AsInt32(), vOffset, offset);
    }

    /// <summary>The even and the odd elements of the sixteen in <paramref name="low"/>, <paramref name="high"/>, each
    /// in order: shuffles within the 128-bit lanes give (0 2 | 8 10 | 4 6 | 12 14) in 64-bit pairs, and a permute of
    /// the pairs puts them in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) EvenAndOdd(Vector256<float> low, Vector256<float> high)
    {
        var even = Avx.Shuffle(low, high, 0x88);
        var odd = Avx.Shuffle(low, high, 0xDD);
        return (Avx2.Permute4x64(even.AsDouble(), 0xD8).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0xD8).AsSingle());
    }

    /// <summary>Backward over outputs [<paramref name="first"/>, <paramref name="end"/>): gx[argMax[o]] += g[o]. Overlapping
    /// windows (stride &lt; kernel) may have picked one input twice: the gradients add.</summary>
    public static void ScatterGradient<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> argMax, Span<T> gx, int first, int end)
        where T : INumber<T>
    {
        for (int o = first; o < end; o++) gx[argMax[o]] += g[o];
    }
}
