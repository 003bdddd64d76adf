using Nabla.Backends;
using Nabla.Cuda.Kernels;
using Nabla.Kernels.Convolution;

namespace Nabla.Cuda;

/// <summary>A convolution on the GPU (im2col), one matrix product per group for the whole batch
/// (<see cref="ConvolutionKernels"/>): the forward pass unfolds the batch into its columns (kept for the backward
/// pass), multiplies each group's weights by them, and moves the result into y's layout with the bias and the fused
/// ReLU; the backward pass masks ∂y by the ReLU's output, moves it into the products' layout, and forms ∂bias = ∂Y'·1,
/// ∂W_g = ∂Y'_g·cols_gᵀ and ∂cols_g = W_gᵀ·∂Y'_g, folding ∂cols into ∂x.</summary>
/// <remarks>Shapes, for N images of C channels, O outputs in G groups (C' = C/G, O' = O/G inputs and outputs a group;
/// the geometry's channels are C', as the CPU's), P = OH·OW positions and a group's patch of K' = C'·KH·KW rows:
/// x (N, C, H, W), W (O, C', KH, KW), cols (G, K', N, P), Y' (O, N, P), y (N, O, P).</remarks>
internal sealed class GpuConvolution(GpuKernels kernels, Conv2dGeometry geometry, int batch, int outputs, int groups) : ConvolutionOp
{
    private readonly WindowShape _shape = WindowShape.Of(geometry) with { Batch = batch, Groups = groups };
    private BackendStorage? _columns, _gradientColumns, _products, _ones;

    public override void Forward(BackendStorage x, BackendStorage weight, BackendStorage? bias, BackendStorage y, bool relu)
    {
        int patch = _shape.PatchSize, positions = _shape.Positions, groupOutputs = outputs / groups, columns = batch * groups * patch * positions;
        int wide = batch * positions;   // a product's columns: every image's positions
        _columns ??= kernels.AllocateLike(x, columns);
        _products ??= kernels.AllocateLike(x, y.Length);
        kernels.Unfold(x, _columns, _shape, columns);
        for (int g = 0; g < groups; g++)
        {
            // Y'_g (O' × N·P) = W_g (O' × K') · cols_g (K' × N·P)
            kernels.Product(weight, _columns, null, _products, MatMulShape.Of(g * groupOutputs * patch, false, g * patch * wide, false, g * groupOutputs * wide, groupOutputs, patch, wide));
        }

        kernels.FromProducts(_products, y, bias, outputs, batch, positions, relu);
    }

    public override void Backward(BackendStorage x, BackendStorage weight, BackendStorage? y, BackendStorage gy, BackendStorage? gx, BackendStorage? gw, BackendStorage? gb)
    {
        var columns = _columns ?? throw new InvalidOperationException("a convolution's backward pass needs the columns of its forward pass");
        int patch = _shape.PatchSize, positions = _shape.Positions, groupOutputs = outputs / groups, wide = batch * positions;
        if (y is not null) kernels.MaskByPositive(y, gy, 0, gy.Length);   // the fused ReLU's backward
        var products = _products!;   // ∂Y' (O × N·P), where the forward pass's Y' was
        kernels.ToProducts(gy, products, outputs, batch, positions);
        if (gb is not null)
        {
            // ∂bias (O × 1) = ∂Y' (O × N·P) · 1 (N·P × 1)
            if (_ones is null)
            {
                _ones = kernels.AllocateLike(x, wide);
                kernels.Fill(_ones, 1);
            }

            kernels.Product(products, _ones, null, gb, MatMulShape.Of(0, false, 0, false, 0, outputs, wide, 1));
        }

        if (gx is not null) _gradientColumns ??= kernels.AllocateLike(x, columns.Length);
        for (int g = 0; g < groups; g++)
        {
            // ∂W_g (O' × K') = ∂Y'_g (O' × N·P) · cols_gᵀ (N·P × K')
            if (gw is not null) kernels.Product(products, columns, null, gw, MatMulShape.Of(g * groupOutputs * wide, false, g * patch * wide, true, g * groupOutputs * patch, groupOutputs, wide, patch));

            // ∂cols_g (K' × N·P) = W_gᵀ (K' × O') · ∂Y'_g (O' × N·P)
            if (gx is not null) kernels.Product(weight, products, null, _gradientColumns!, MatMulShape.Of(g * groupOutputs * patch, true, g * groupOutputs * wide, false, g * patch * wide, patch, groupOutputs, wide));
        }

        if (gx is not null) kernels.Fold(_gradientColumns!, gx, _shape, gx.Length);
    }
}
