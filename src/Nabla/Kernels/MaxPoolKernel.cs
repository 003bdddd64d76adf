using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    /// a NaN once taken is kept: the first maximum wins, and NaN propagates.</summary>
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
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                int top = (plane * planeSize) + (2 * i * width);
                for (int j = 0; j < ow; j++, o++)
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

    /// <summary>Backward over outputs [<paramref name="first"/>, <paramref name="end"/>): gx[argMax[o]] += g[o]. Overlapping
    /// windows (stride &lt; kernel) may have picked one input twice: the gradients add.</summary>
    public static void ScatterGradient<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> argMax, Span<T> gx, int first, int end)
        where T : INumber<T>
    {
        for (int o = first; o < end; o++) gx[argMax[o]] += g[o];
    }
}
