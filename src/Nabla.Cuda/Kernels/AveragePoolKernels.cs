using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>Average pooling, the CPU's walk (Nabla.Kernels.AvgPoolKernel: every window divides by its full size K,
/// padding counted) with one thread per element written: forward y[o] += Σ x[p]·(1/K) over the window, backward
/// ∂x[p] += Σ ∂y[o]·(1/K) over the windows that read p.</summary>
internal static class AveragePoolKernels
{
    public static void Forward<T>(Index1D i, ArrayView<T> x, ArrayView<T> y, WindowShape s, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ow = i % s.OutputWidth, oh = (i / s.OutputWidth) % s.OutputHeight, planeStart = i / s.Positions * s.Height * s.Width;
        T sum = y[i];
        for (int kh = 0; kh < s.KernelHeight; kh++)
        {
            int h = (oh * s.StrideHeight) - s.PaddingHeight + kh;
            if (h < 0 || h >= s.Height) continue;
            for (int kw = 0; kw < s.KernelWidth; kw++)
            {
                int w = (ow * s.StrideWidth) - s.PaddingWidth + kw;
                if (w >= 0 && w < s.Width) sum += x[planeStart + (h * s.Width) + w] * scale;
            }
        }

        y[i] = sum;
    }

    public static void Backward<T>(Index1D i, ArrayView<T> gx, ArrayView<T> gy, WindowShape s, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = i % s.Width, h = (i / s.Width) % s.Height, plane = i / (s.Height * s.Width);
        T sum = gx[i];
        for (int kh = 0; kh < s.KernelHeight; kh++)
        {
            int oh = s.OutputRow(h, kh);
            if (oh < 0) continue;
            for (int kw = 0; kw < s.KernelWidth; kw++)
            {
                int ow = s.OutputColumn(w, kw);
                if (ow >= 0) sum += gy[(plane * s.Positions) + (oh * s.OutputWidth) + ow] * scale;
            }
        }

        gx[i] = sum;
    }
}
