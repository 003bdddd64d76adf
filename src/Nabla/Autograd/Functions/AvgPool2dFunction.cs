using System.Numerics;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>2-D average pooling over NCHW tensors: y[n, c, i, j] = (1/(KH·KW)) Σ over the window of
/// x[n, c, i·S − P + kh, j·S − P + kw], the padding counting as zeros (PyTorch's default, count_include_pad).</summary>
/// <remarks>∂y[i, j]/∂x[p] = 1/(KH·KW) for every input p in the window: backward spreads each output's gradient evenly
/// over its window. Shapes: x (N, C, H, W) → y (N, C, OH, OW).</remarks>
internal sealed class AvgPool2dFunction(Tensor x, Conv2dGeometry geometry) : Function(x)
{
    public override string Name => "AvgPool2d";

    public static Tensor Apply(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding)
    {
        if (x.Rank != 4) throw new ArgumentException($"avg-pool: input must be (N, C, H, W), got shape {x.Shape}");
        var g = new Conv2dGeometry(1, x.Shape[2], x.Shape[3], kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, 1, 1);
        g.Validate($"avg-pool on input {x.Shape}");
        if (2 * padding.H > kernel.H || 2 * padding.W > kernel.W)
            throw new ArgumentException($"avg-pool: padding {padding.H}×{padding.W} must be at most half the {kernel.H}×{kernel.W} kernel");
        var y = Tensor.Zeros([x.Shape[0], x.Shape[1], g.OutputHeight, g.OutputWidth], x.DType);
        if (x.DType == DType.Float32) Walk<float>(x.Buffer<float>(), y.Buffer<float>(), x.Shape[0] * x.Shape[1], g, forward: true);
        else Walk<double>(x.Buffer<double>(), y.Buffer<double>(), x.Shape[0] * x.Shape[1], g, forward: true);
        return Needed(x) ? Record(y, new AvgPool2dFunction(x, g)) : y;
    }

    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        var gx = Tensor.ZerosLike(x);
        if (g.DType == DType.Float32) Walk<float>(gx.Buffer<float>(), g.Buffer<float>(), x.Shape[0] * x.Shape[1], geometry, forward: false);
        else Walk<double>(gx.Buffer<double>(), g.Buffer<double>(), x.Shape[0] * x.Shape[1], geometry, forward: false);
        return [gx];
    }

    /// <summary>Forward: y[o] += x[p]/K over each window. Backward: x[p] += y[o]/K over each window (x is then ∂L/∂x and
    /// y is ∂L/∂y): the same walk, the adjoint direction.</summary>
    private static void Walk<T>(T[] x, T[] y, int planes, Conv2dGeometry g, bool forward)
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
