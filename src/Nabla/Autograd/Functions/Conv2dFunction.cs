using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Engine;
using Nabla.Kernels.Convolution;
using Nabla.Kernels.Gemm;
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
/// ∂L/∂W_g += G_y · colsᵀ,  ∂L/∂x[n, group] = col2im(W_gᵀ · G_y),  ∂L/∂b[o] = Σ_{n, i, j} G_y[o, i, j].
/// The columns are unfolded again in backward rather than kept: the unfolding is cheap next to the products, and
/// keeping it would hold KH·KW copies of the input per layer.</para>
/// </remarks>
internal sealed class Conv2dFunction : Function
{
    private readonly Conv2dGeometry _geometry;
    private readonly int _groups;
    private readonly bool _hasBias;

    private Conv2dFunction(Tensor[] inputs, Conv2dGeometry geometry, int groups, bool hasBias)
        : base(inputs) => (_geometry, _groups, _hasBias) = (geometry, groups, hasBias);

    public override string Name => "Conv2d";

    /// <summary>y = conv2d(x, weight) + bias; <paramref name="stride"/>, <paramref name="padding"/> and
    /// <paramref name="dilation"/> are (height, width).</summary>
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
        if (x.DType == DType.Float32) Forward<float>(x, weight, bias, y, geometry, groups);
        else Forward<double>(x, weight, bias, y, geometry, groups);
        Tensor[] operands = bias is null ? [x, weight] : [x, weight, bias];
        return Needed(operands) ? Record(y, new Conv2dFunction(operands, geometry, groups, bias is not null)) : y;
    }

    private static void Forward<T>(Tensor x, Tensor weight, Tensor? bias, Tensor y, Conv2dGeometry g, int groups)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int images = x.Shape[0], outputs = weight.Shape[0], perGroup = outputs / groups, positions = g.OutputPositions;
        var columns = new T[g.PatchSize * positions];   // scratch, kept by a captured step for its replays
        Kernel.Launch(() =>
        {
            T[] xs = x.Buffer<T>(), ws = weight.Buffer<T>(), ys = y.Buffer<T>();
            for (int n = 0; n < images; n++)
            {
                for (int group = 0; group < groups; group++)
                {
                    Im2Col.Unfold<T>(xs.AsSpan(((n * groups) + group) * g.ImageSize, g.ImageSize), g, columns);
                    int yOffset = ((n * outputs) + (group * perGroup)) * positions;
                    Gemm.Multiply(ws, group * perGroup * g.PatchSize, false, columns, 0, false, ys, yOffset, perGroup, g.PatchSize, positions);
                }

                if (bias is null) continue;
                var b = bias.Buffer<T>();
                for (int o = 0; o < outputs; o++)
                {
                    var plane = ys.AsSpan(((n * outputs) + o) * positions, positions);
                    TensorPrimitives.Add(plane, b[o], plane);
                }
            }
        });
    }

    public override Tensor?[] Backward(Tensor gradOutput) => gradOutput.DType == DType.Float32
        ? Backward<float>(gradOutput)
        : Backward<double>(gradOutput);

    private Tensor?[] Backward<T>(Tensor gy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, weight) = (Inputs[0], Inputs[1]);
        var g = _geometry;
        int outputs = weight.Shape[0], positions = g.OutputPositions;
        bool needX = x.RequiresGrad, needW = weight.RequiresGrad, needB = _hasBias && Inputs[2].RequiresGrad;
        var gx = needX ? Tensor.Zeros(x.Shape, x.DType) : null;
        var gw = needW ? Tensor.Zeros(weight.Shape, x.DType) : null;
        var gb = needB ? Tensor.Zeros([outputs], x.DType) : null;
        var columns = new T[g.PatchSize * positions];
        int groups = _groups;
        Kernel.Launch(() => BackwardKernel(x, weight, gy, gx, gw, gb, g, groups, columns));
        return _hasBias ? [gx, gw, gb] : [gx, gw];
    }

    private static void BackwardKernel<T>(Tensor x, Tensor weight, Tensor gy, Tensor? gx, Tensor? gw, Tensor? gb, Conv2dGeometry g, int groups, T[] columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int images = x.Shape[0], outputs = weight.Shape[0], perGroup = outputs / groups, positions = g.OutputPositions;
        T[] xs = x.Buffer<T>(), ws = weight.Buffer<T>(), gys = gy.Buffer<T>();
        for (int n = 0; n < images; n++)
        {
            for (int group = 0; group < groups; group++)
            {
                int gyOffset = ((n * outputs) + (group * perGroup)) * positions;
                int wOffset = group * perGroup * g.PatchSize;
                if (gw is not null)
                {
                    // ∂L/∂W_g += G_y · colsᵀ: (O/G × L) · (L × C/G·KH·KW), reading cols transposed in place.
                    Im2Col.Unfold<T>(xs.AsSpan(((n * groups) + group) * g.ImageSize, g.ImageSize), g, columns);
                    Gemm.Multiply(gys, gyOffset, false, columns, 0, true, gw.Buffer<T>(), wOffset, perGroup, positions, g.PatchSize, accumulate: true);
                }

                if (gx is not null)
                {
                    // ∂L/∂cols = W_gᵀ · G_y: (C/G·KH·KW × O/G) · (O/G × L), then folded back onto the image.
                    Gemm.Multiply(ws, wOffset, true, gys, gyOffset, false, columns, 0, g.PatchSize, perGroup, positions);
                    Im2Col.FoldAdd<T>(columns, g, gx.Buffer<T>().AsSpan(((n * groups) + group) * g.ImageSize, g.ImageSize));
                }
            }

            if (gb is null) continue;
            var b = gb.Buffer<T>();
            for (int o = 0; o < outputs; o++) b[o] += TensorPrimitives.Sum<T>(gys.AsSpan(((n * outputs) + o) * positions, positions));
        }
    }
}
