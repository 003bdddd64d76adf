using System.Numerics;
using Nabla.Kernels.Convolution;

namespace Nabla.Kernels;

/// <summary>Average pooling's loop over N·C planes; the math is in <c>AvgPool2dFunction</c>'s summary.</summary>
internal static class AvgPoolKernel
{
    /// <summary>Forward: y[o] += x[p]/K over each window. Backward: x[p] += y[o]/K over each window (x is then ∂L/∂x and
    /// y is ∂L/∂y): the same walk, the adjoint direction. The side added to must hold zeros, or a sum to add to.</summary>
    public static void Walk<T>(Span<T> x, Span<T> y, int planes, in Conv2dGeometry g, bool forward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, planeSize = g.Height * g.Width;
        T scale = T.One / T.CreateChecked(g.KernelHeight * g.KernelWidth);
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            int planeStart = plane * planeSize;
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++, o++)
                {
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        int iy = (i * g.StrideHeight) - g.PaddingHeight + kh;
                        if ((uint)iy >= (uint)g.Height) continue;
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ix = (j * g.StrideWidth) - g.PaddingWidth + kw;
                            if ((uint)ix >= (uint)g.Width) continue;
                            int p = planeStart + (iy * g.Width) + ix;
                            if (forward) y[o] += x[p] * scale;
                            else x[p] += y[o] * scale;
                        }
                    }
                }
            }
        }
    }
}
