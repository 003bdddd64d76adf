using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

/// <summary>A convolution on the GPU (im2col): the forward pass unfolds every image into its columns (kept for the
/// backward pass), multiplies each group's weights by them and adds the bias (and the fused ReLU); the backward pass
/// masks ∂y by the ReLU's output, sums ∂bias, forms ∂W = Σₙ ∂y[n]·cols[n]ᵀ and ∂cols[n] = Wᵀ·∂y[n], and folds ∂cols into
/// ∂x.</summary>
/// <remarks>Shapes, for N images of C channels, O outputs in G groups (C' = C/G, O' = O/G inputs and outputs a group;
/// the geometry's channels are C', as the CPU's), P = OH·OW positions and a group's patch of K' = C'·KH·KW rows:
/// x (N, C, H, W) read as N·G images of C' channels, W (O, C', KH, KW), cols (N·G, K', P), y (N, O, P).</remarks>
internal sealed class GpuConvolution(GpuKernels kernels, Conv2dGeometry geometry, int batch, int outputs, int groups) : ConvolutionOp
{
    private readonly WindowShape _shape = WindowShape.Of(geometry);
    private BackendStorage? _columns, _gradientColumns;

    public override void Forward(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, bool relu)
    {
        int patch = _shape.PatchSize, positions = _shape.Positions, groupOutputs = outputs / groups, columns = batch * groups * patch * positions;
        _columns ??= kernels.AllocateLike(x, columns);
        kernels.Unfold(x, _columns, _shape, columns);
        for (int n = 0; n < batch; n++)
        {
            for (int g = 0; g < groups; g++)
            {
                // y[n, group g] (O' × P) = W[g] (O' × K') · cols[image n·G + g] (K' × P)
                kernels.Product(weight, _columns, null, y, MatMulShape.Of(g * groupOutputs * patch, false, ((n * groups) + g) * patch * positions, false, ((n * outputs) + (g * groupOutputs)) * positions, groupOutputs, patch, positions));
            }
        }

        if (bias is not null || relu) kernels.BiasAndRelu(y, bias, outputs, positions, relu);
    }

    public override void Backward(BackendStorage x, BackendStorage weight, BackendStorage? y, BackendStorage gy, BackendStorage? gx, BackendStorage? gw, BackendStorage? gb)
    {
        var columns = _columns ?? throw new InvalidOperationException("a convolution's backward pass needs the columns of its forward pass");
        int patch = _shape.PatchSize, positions = _shape.Positions, groupOutputs = outputs / groups;
        if (y is not null) kernels.MaskByPositive(y, gy, 0, gy.Length);   // the fused ReLU's backward
        if (gb is not null) kernels.ConvolutionBiasGradient(gy, gb, batch, outputs, positions);
        if (gx is not null) _gradientColumns ??= kernels.AllocateLike(x, columns.Length);
        for (int n = 0; n < batch; n++)
        {
            for (int g = 0; g < groups; g++)
            {
                int gyOffset = ((n * outputs) + (g * groupOutputs)) * positions, columnsOffset = ((n * groups) + g) * patch * positions;
                if (gw is not null)
                {
                    // ∂W[g] (O' × K') (+)= ∂y[n, g] (O' × P) · cols[n·G + g]ᵀ (P × K'), summed over the images in order
                    var shape = MatMulShape.Of(gyOffset, false, columnsOffset, true, g * groupOutputs * patch, groupOutputs, positions, patch);
                    shape.Accumulate = n > 0 ? 1 : 0;
                    kernels.Product(gy, columns, null, gw, shape);
                }

                // ∂cols[n·G + g] (K' × P) = W[g]ᵀ (K' × O') · ∂y[n, g] (O' × P)
                if (gx is not null) kernels.Product(weight, gy, null, _gradientColumns!, MatMulShape.Of(g * groupOutputs * patch, true, gyOffset, false, columnsOffset, patch, groupOutputs, positions));
            }
        }

        if (gx is not null) kernels.Fold(_gradientColumns!, gx, _shape, gx.Length);
    }
}
