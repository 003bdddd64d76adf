using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>2-D average pooling over NCHW tensors: y[n, c, i, j] = (1/(KH·KW)) Σ over the window of
/// x[n, c, i·S − P + kh, j·S − P + kw], the padding counting as zeros (PyTorch's default, count_include_pad).</summary>
/// <remarks>∂y[i, j]/∂x[p] = 1/(KH·KW) for every input p in the window: backward spreads each output's gradient evenly
/// over its window (the sums are added to zeros, written first). Shapes: x (N, C, H, W) → y (N, C, OH, OW).</remarks>
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
        var ops = Backend.Current.Ops;
        Kernel.Launch([x, y], [y], () => ops.AveragePool(x.Storage, y.Storage, x.Shape[0] * x.Shape[1], g, forward: true));
        return Needed(x) ? Record(y, new AvgPool2dFunction(x, g)) : y;
    }

    public override Tensor?[] Backward(Tensor g)
    {
        var x = Inputs[0];
        var gx = Tensor.ZerosLike(x);
        var ops = Backend.Current.Ops;
        Kernel.Launch([g, gx], [gx], () => ops.AveragePool(gx.Storage, g.Storage, x.Shape[0] * x.Shape[1], geometry, forward: false));
        return [gx];
    }
}
