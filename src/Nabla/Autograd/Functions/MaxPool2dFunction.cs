using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>2-D max pooling over NCHW tensors: y[n, c, i, j] = max over the window of x[n, c, i·S − P + kh·D, j·S − P + kw·D],
/// padding never chosen.</summary>
/// <remarks>The forward pass records, for each output, the flat index of the input it took; the gradient flows to that
/// input alone: ∂y/∂x = 1 there, 0 elsewhere. With ties the first maximum in scan order (row by row) is taken, as in
/// PyTorch; that is one valid subgradient (finite differences at a tie see the average of the tied inputs instead).
/// Shapes: x (N, C, H, W) → y (N, C, OH, OW).</remarks>
internal sealed class MaxPool2dFunction(Tensor x, MaxPoolOp pass) : Function(x)
{
    public override string Name => "MaxPool2d";

    public static Tensor Apply(Tensor x, (int H, int W) kernel, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation)
    {
        if (x.Rank != 4) throw new ArgumentException($"max-pool: input must be (N, C, H, W), got shape {x.Shape}");
        var g = new Conv2dGeometry(1, x.Shape[2], x.Shape[3], kernel.H, kernel.W, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
        g.Validate($"max-pool on input {x.Shape}");
        if (2 * padding.H > kernel.H || 2 * padding.W > kernel.W)
            throw new ArgumentException($"max-pool: padding {padding.H}×{padding.W} must be at most half the {kernel.H}×{kernel.W} kernel");
        var y = Tensor.Uninitialized([x.Shape[0], x.Shape[1], g.OutputHeight, g.OutputWidth], x.DType);
        int planes = x.Shape[0] * x.Shape[1];
        var pass = Backend.Current.Ops.MaxPool(g, planes);
        Kernel.Launch([x], [y], () => pass.Forward(x.Storage, y.Storage));
        return Needed(x) ? Record(y, new MaxPool2dFunction(x, pass)) : y;
    }

    public override Tensor?[] Backward(Tensor g)
    {
        // The pass writes every element of the input gradient: zeros first, then each output's gradient where it came from.
        var gx = Tensor.Uninitialized(Inputs[0].Shape, Inputs[0].DType);
        Kernel.Launch([g], [gx], () => pass.Backward(g.Storage, gx.Storage));
        return [gx];
    }
}
