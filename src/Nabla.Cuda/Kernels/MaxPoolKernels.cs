using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Max pooling, one thread per element: the CPU's rule (the first maximum in scan order on ties; NaN wins, as
/// in PyTorch), with the flat index of each output's input kept for the backward pass.</summary>
internal static class MaxPoolKernels
{
    /// <summary>y[plane, oh, ow] = the window's maximum; argMax = the flat index of the input it came from.</summary>
    public static void Forward<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, ArrayView<int> argMax, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ow = i % s.OutputWidth, oh = (i / s.OutputWidth) % s.OutputHeight, plane = i / s.Positions;
        int planeStart = plane * s.Height * s.Width, bestIndex = -1;
        T best = T.NegativeInfinity;
        for (int kh = 0; kh < s.KernelHeight && !(bestIndex >= 0 && T.IsNaN(best)); kh++)
        {
            int h = (oh * s.StrideHeight) - s.PaddingHeight + (kh * s.DilationHeight);
            if (h < 0 || h >= s.Height) continue;
            for (int kw = 0; kw < s.KernelWidth; kw++)
            {
                int w = (ow * s.StrideWidth) - s.PaddingWidth + (kw * s.DilationWidth);
                if (w < 0 || w >= s.Width) continue;
                int index = planeStart + (h * s.Width) + w;
                T value = x[index];
                if (bestIndex < 0 || value > best || T.IsNaN(value))
                {
                    (best, bestIndex) = (value, index);
                    if (T.IsNaN(value)) break;
                }
            }
        }

        y[i] = best;
        argMax[i] = bestIndex;
    }

    /// <summary>∂x[plane, h, w] = Σ of ∂y over the windows that read (h, w) and took it as their maximum: gathered per
    /// input element.</summary>
    public static void Backward<T>(Index1D i, ArrayView<T> g, ArrayView<int> argMax, ArrayView<T> gx, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = i % s.Width, h = (i / s.Width) % s.Height, plane = i / (s.Height * s.Width);
        T sum = T.Zero;
        for (int kh = 0; kh < s.KernelHeight; kh++)
        {
            int oh = s.OutputRow(h, kh);
            if (oh < 0) continue;
            for (int kw = 0; kw < s.KernelWidth; kw++)
            {
                int ow = s.OutputColumn(w, kw);
                if (ow < 0) continue;
                int o = (plane * s.Positions) + (oh * s.OutputWidth) + ow;
                if (argMax[o] == i) sum += g[o];
            }
        }

        gx[i] = sum;
    }
}
