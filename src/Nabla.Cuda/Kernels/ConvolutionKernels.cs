using System.Numerics;
using ILGPU;

namespace Nabla.Cuda.Kernels;

/// <summary>The convolution as matrix products (im2col), the CPU's formulation: each image is unfolded into columns,
/// cols[n] (C·KH·KW × OH·OW), with column p holding the inputs output position p reads, so that
/// y[n] = W · cols[n] (+ bias), ∂W = Σₙ ∂y[n] · cols[n]ᵀ and ∂cols[n] = Wᵀ · ∂y[n], folded back into ∂x. The products
/// run on the matrix kernel; these are the unfolding, the folding and the bias's passes, one thread per element.</summary>
internal static class ConvolutionKernels
{
    /// <summary>cols[n, (c, kh, kw), (oh, ow)] = x[n, c, oh·S − P + kh·D, ow·S − P + kw·D], or 0 in the padding.</summary>
    public static void Unfold<T>(Index1D i, ArrayView<T> x, ArrayView<T> cols, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int positions = s.Positions, patch = s.PatchSize;
        int p = i % positions, rest = i / positions, row = rest % patch, n = rest / patch;
        int kw = row % s.KernelWidth, kh = (row / s.KernelWidth) % s.KernelHeight, c = row / (s.KernelWidth * s.KernelHeight);
        int h = ((p / s.OutputWidth) * s.StrideHeight) - s.PaddingHeight + (kh * s.DilationHeight);
        int w = ((p % s.OutputWidth) * s.StrideWidth) - s.PaddingWidth + (kw * s.DilationWidth);
        cols[i] = h >= 0 && h < s.Height && w >= 0 && w < s.Width ? x[(((n * s.Channels) + c) * s.Height + h) * s.Width + w] : T.Zero;
    }

    /// <summary>∂x[n, c, h, w] = Σ of ∂cols over the (kernel position, output position) pairs that read input (h, w):
    /// gathered per input element, so no two threads write one element and the sum needs no atomics.</summary>
    public static void Fold<T>(Index1D i, ArrayView<T> gradientColumns, ArrayView<T> gx, WindowShape s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = i % s.Width, rest = i / s.Width, h = rest % s.Height;
        rest /= s.Height;
        int c = rest % s.Channels, n = rest / s.Channels, positions = s.Positions;
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
                sum += gradientColumns[(((n * s.PatchSize) + row) * positions) + (oh * s.OutputWidth) + ow];
            }
        }

        gx[i] = sum;
    }

    /// <summary>y[n, o, p] ← y[n, o, p] + bias[o] (when <paramref name="hasBias"/>), then max(·, 0) when
    /// <paramref name="relu"/>.</summary>
    public static void BiasAndRelu<T>(Index1D i, ArrayView<T> y, ArrayView<T> bias, int channels, int positions, int hasBias, int relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T value = y[i];
        if (hasBias != 0) value += bias[(i / positions) % channels];
        y[i] = relu != 0 ? T.Max(value, T.Zero) : value;
    }

    /// <summary>∂bias[o] = Σₙ Σₚ ∂y[n, o, p], image by image, position by position.</summary>
    public static void BiasGradient<T>(Index1D o, ArrayView<T> gy, ArrayView<T> gb, int batch, int channels, int positions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int n = 0; n < batch; n++)
        {
            int first = ((n * channels) + o) * positions;
            for (int p = 0; p < positions; p++) sum += gy[first + p];
        }

        gb[o] = sum;
    }
}
