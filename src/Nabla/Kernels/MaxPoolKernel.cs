using System.Numerics;
using Nabla.Kernels.Convolution;

namespace Nabla.Kernels;

/// <summary>Max pooling's forward loop: y[o] = the window's maximum, argMax[o] = the flat index of the input taken
/// (the first maximum in scan order on ties; NaN wins, as in PyTorch). Planes are the N·C channel images.</summary>
internal static class MaxPoolKernel
{
    public static void Forward<T>(T[] x, T[] y, int[] argMax, int planes, Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g is { KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2, PaddingHeight: 0, PaddingWidth: 0, DilationHeight: 1, DilationWidth: 1 })
        {
            ForwardTwoByTwo(x, y, argMax, planes, g);
            return;
        }

        int oh = g.OutputHeight, ow = g.OutputWidth, planeSize = g.Height * g.Width;
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
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
    /// the four inputs (a, b / c, d) in scan order, keeping the first maximum.</summary>
    private static void ForwardTwoByTwo<T>(T[] x, T[] y, int[] argMax, int planes, Conv2dGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, width = g.Width, planeSize = g.Height * width;
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < oh; i++)
            {
                int top = (plane * planeSize) + (2 * i * width);
                int bottom = top + width;
                for (int j = 0; j < ow; j++, o++)
                {
                    int index = top + (2 * j);
                    T best = x[index];
                    if (x[index + 1] > best || T.IsNaN(x[index + 1])) (best, index) = (x[index + 1], index + 1);
                    int c = bottom + (2 * j);
                    if (x[c] > best || T.IsNaN(x[c])) (best, index) = (x[c], c);
                    if (x[c + 1] > best || T.IsNaN(x[c + 1])) (best, index) = (x[c + 1], c + 1);
                    y[o] = best;
                    argMax[o] = index;
                }
            }
        }
    }
}
