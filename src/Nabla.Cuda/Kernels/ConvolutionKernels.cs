using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>The convolution as matrix products (im2col), one product per group for the whole batch: the batch is
/// unfolded into columns laid out (G, K', N, P), a group's K' × N·P matrix with column n·P + p holding the inputs image
/// n's output position p reads, so that, with Y' = y laid out (O, N, P),
/// <code>
/// Y'_g = W_g · cols_g,   ∂W_g = ∂Y'_g · cols_gᵀ,   ∂cols_g = W_gᵀ · ∂Y'_g,   ∂bias = ∂Y' · 1
/// </code>
/// and ∂cols folds back into ∂x. On a GPU that is three matrix products a group for each pass, not three an image
/// (W4: 6 launches a step instead of 768). The products run on cuBLAS or the matrix kernel; these are the unfolding,
/// the folding and the passes between y's layout (N, O, P) and the products' (O, N, P), one thread per element.</summary>
/// <remarks>x (N, C, H, W) is read as N·G images of C' = C/G channels, image n·G + g being group g of image n.</remarks>
internal static class ConvolutionKernels
{
    /// <summary>cols[g, (c, kh, kw), n, (oh, ow)] = x[image n·G + g, c, oh·S − P + kh·D, ow·S − P + kw·D], or 0 in the
    /// padding.</summary>
    public static void Unfold<T>(Index1D i, ArrayView<T> x, ArrayView<T> cols, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = s.Positions, patch = s.PatchSize;
        int p = i % positions, rest = i / positions, n = rest % s.Batch;
        rest /= s.Batch;
        int row = rest % patch, g = rest / patch, image = (n * s.Groups) + g;
        int kw = row % s.KernelWidth, kh = (row / s.KernelWidth) % s.KernelHeight, c = row / (s.KernelWidth * s.KernelHeight);
        int h = ((p / s.OutputWidth) * s.StrideHeight) - s.PaddingHeight + (kh * s.DilationHeight);
        int w = ((p % s.OutputWidth) * s.StrideWidth) - s.PaddingWidth + (kw * s.DilationWidth);
        cols[i] = h >= 0 && h < s.Height && w >= 0 && w < s.Width ? x[(((image * s.Channels) + c) * s.Height + h) * s.Width + w] : T.Zero;
    }

    /// <summary>∂x[image, c, h, w] = Σ of ∂cols over the (kernel position, output position) pairs that read input
    /// (h, w): gathered per input element, so no two threads write one element and the sum needs no atomics.</summary>
    public static void Fold<T>(Index1D i, ArrayView<T> gradientColumns, ArrayView<T> gx, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = i % s.Width, rest = i / s.Width, h = rest % s.Height;
        rest /= s.Height;
        int c = rest % s.Channels, image = rest / s.Channels, n = image / s.Groups, g = image % s.Groups, positions = s.Positions;
        T sum = T.Zero;
        for (int kh = 0; kh < s.KernelHeight; kh++)
        {
            int oh = s.OutputRow(h, kh);
            if (oh < 0) continue;
            for (int kw = 0; kw < s.KernelWidth; kw++)
            {
                int ow = s.OutputColumn(w, kw);
                if (ow < 0) continue;
                int row = (((c * s.KernelHeight) + kh) * s.KernelWidth) + kw;
                sum += gradientColumns[(((((g * s.PatchSize) + row) * s.Batch) + n) * positions) + (oh * s.OutputWidth) + ow];
            }
        }

        gx[i] = sum;
    }

    /// <summary>y[n, o, p] = product[o, n, p] (+ bias[o] when <paramref name="hasBias"/>), then max(·, 0) when
    /// <paramref name="relu"/>: the products' layout back to y's, with the bias and the fused ReLU.</summary>
    public static void FromProducts<T>(Index1D i, ArrayView<T> product, ArrayView<T> y, ArrayView<T> bias, int channels, int batch, int positions, int hasBias, int relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = i % positions, rest = i / positions, o = rest % channels, n = rest / channels;
        T value = product[(((o * batch) + n) * positions) + p];
        if (hasBias != 0) value += bias[o];
        y[i] = relu != 0 ? T.Max(value, T.Zero) : value;
    }

    /// <summary>product[o, n, p] = gy[n, o, p]: ∂y in the products' layout.</summary>
    public static void ToProducts<T>(Index1D i, ArrayView<T> gy, ArrayView<T> product, int channels, int batch, int positions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = i % positions, rest = i / positions, n = rest % batch, o = rest / batch;
        product[i] = gy[(((n * channels) + o) * positions) + p];
    }
}
