using Nabla.Backends;
using Nabla.Engine;
using Nabla.Kernels.Convolution;
using Nabla.Tensors;
using Tensor = Nabla.Tensors.Tensor;

namespace Nabla.Autograd.Functions;

/// <summary>2-D convolution (cross-correlation, as in every deep-learning library) over NCHW tensors, by im2col and
/// the GEMM.</summary>
/// <remarks>
/// <para>Shapes: x (N, C, H, W), weight (O, C/G, KH, KW), bias (O) or none, y (N, O, OH, OW), with G groups: output
/// channels [g·O/G, (g+1)·O/G) see only input channels [g·C/G, (g+1)·C/G).</para>
/// <para>y[n, o, i, j] = b[o] + Σ_{c, kh, kw} W[o, c, kh, kw] · x[n, g·C/G + c, i·SH − PH + kh·DH, j·SW − PW + kw·DW].
/// Per image and group, with cols = im2col(x[n, group]) (C/G·KH·KW × L) and W_g the group's weights as a matrix
/// (O/G × C/G·KH·KW): y[n, group] = W_g · cols.</para>
/// <para>Backward, with G_y = ∂L/∂y[n, group] (O/G × L):
/// ∂L/∂W_g = Σ_n G_y · colsᵀ,  ∂L/∂x[n, group] = col2im(W_gᵀ · G_y),  ∂L/∂b[o] = Σ_{n, i, j} G_y[o, i, j].
/// The backend's <see cref="ConvolutionOp"/> (on the CPU, <see cref="ConvolutionKernel{T}"/>) computes both passes, with the batch split across the kernel threads.</para>
/// </remarks>
internal sealed class Conv2dFunction : Function
{
    private readonly ConvolutionOp _kernel;   // the forward pass's kernel, whose scratch backward reuses
    private readonly bool _hasBias;

    private Conv2dFunction(Tensor[] inputs, ConvolutionOp kernel, bool hasBias)
        : base(inputs) => (_kernel, _hasBias) = (kernel, hasBias);

    public override string Name => "Conv2d";

    /// <summary>y = conv2d(x, weight) + bias; <paramref name="stride"/>, <paramref name="padding"/> and
    /// <paramref name="dilation"/> are (height, width). A ReLU after it joins the kernel's epilogue, and the ReLU's
    /// backward mask the backward kernel's reading of the gradient, when a capture's fusion pass finds them
    /// (<see cref="KernelFusion"/>): both kernels offer the form.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        if (x.Rank != 4) throw new ArgumentException($"conv2d: input must be (N, C, H, W), got shape {x.Shape}");
        if (weight.Rank != 4) throw new ArgumentException($"conv2d: weight must be (O, C/groups, KH, KW), got shape {weight.Shape}");
        if (x.DType != weight.DType || (bias is not null && bias.DType != x.DType))
            throw new ArgumentException($"conv2d: input, weight and bias must have one dtype, got {x.DType.Name()}, {weight.DType.Name()}{(bias is null ? "" : ", " + bias.DType.Name())}");
        int channels = x.Shape[1], outputs = weight.Shape[0];
        if (groups < 1 || channels % groups != 0 || outputs % groups != 0)
            throw new ArgumentException($"conv2d: {groups} groups must divide both the {channels} input and the {outputs} output channels");
        if (weight.Shape[1] != channels / groups)
            throw new ArgumentException($"conv2d: weight {weight.Shape} expects {weight.Shape[1] * groups} input channels with {groups} group(s), but the input {x.Shape} has {channels}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outputs))
            throw new ArgumentException($"conv2d: bias must be ({outputs}), got shape {bias.Shape}");

        var geometry = new Conv2dGeometry(channels / groups, x.Shape[2], x.Shape[3], weight.Shape[2], weight.Shape[3],
            stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
        geometry.Validate($"conv2d on input {x.Shape} with weight {weight.Shape}");
        var y = Tensor.Uninitialized([x.Shape[0], outputs, geometry.OutputHeight, geometry.OutputWidth], x.DType);
        // The kernel holds its scratch, so a captured step that keeps it replays with no allocation.
        var kernel = Backend.Current.Ops.Convolution(geometry, x.Shape[0], outputs, groups);
        Kernel.Launch([x, weight, bias], [y], () => kernel.Forward(x.Storage, weight.Storage, bias?.Storage, y.Storage, relu: false),
            Kernel.Capturing ? new ReluEpilogueForm(y.Storage, rectified => () => kernel.Forward(x.Storage, weight.Storage, bias?.Storage, rectified, relu: true)) : null);
        Tensor[] operands = bias is null ? [x, weight] : [x, weight, bias];
        return Needed(operands) ? Record(y, new Conv2dFunction(operands, kernel, bias is not null)) : y;
    }

    public override Tensor?[] Backward(Tensor gradOutput)
    {
        var (x, weight, gy, kernel) = (Inputs[0], Inputs[1], gradOutput, _kernel);

        // The kernel writes every element of the gradients it is given: none needs zeroing first.
        var gx = x.RequiresGrad ? Tensor.Uninitialized(x.Shape, x.DType) : null;
        var gw = weight.RequiresGrad ? Tensor.Uninitialized(weight.Shape, x.DType) : null;
        var gb = _hasBias && Inputs[2].RequiresGrad ? Tensor.Uninitialized([weight.Shape[0]], x.DType) : null;
        Kernel.Launch([x, weight, gy], [gx, gw, gb], () => kernel.Backward(x.Storage, weight.Storage, null, gy.Storage, gx?.Storage, gw?.Storage, gb?.Storage),
            Kernel.Capturing ? new ReluMaskPrologueForm(gy.Storage, y => () => kernel.Backward(x.Storage, weight.Storage, y, gy.Storage, gx?.Storage, gw?.Storage, gb?.Storage)) : null);
        return _hasBias ? [gx, gw, gb] : [gx, gw];
    }
}
