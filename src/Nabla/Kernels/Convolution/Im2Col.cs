using System.Numerics;

namespace Nabla.Kernels.Convolution;

/// <summary>Unfolding an image into patch columns (im2col) and folding columns back (col2im), so that a convolution
/// becomes one matrix product: y (O × L) = W (O × C·KH·KW) · cols (C·KH·KW × L), L = OH·OW output positions.</summary>
/// <remarks>
/// cols[(c·KH + kh)·KW + kw, oh·OW + ow] = x[c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], or 0 in the padding.
/// Col2Im is its adjoint: every column entry is added back to the input position it was read from, which is exactly
/// the gradient of im2col (overlapping windows add up).
/// </remarks>
internal static class Im2Col
{
    /// <summary>Unfolds one image (C × H × W) into <paramref name="columns"/> (C·KH·KW × OH·OW).</summary>
    public static void Unfold<T>(ReadOnlySpan<T> image, in Conv2dGeometry g, Span<T> columns)
        where T : unmanaged, INumber<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow;
        int row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    var target = columns.Slice(row * positions, positions);
                    int dx = (kw * g.DilationWidth) - g.PaddingWidth;
                    for (int y = 0; y < oh; y++)
                    {
                        int iy = (y * g.StrideHeight) - g.PaddingHeight + (kh * g.DilationHeight);
                        var outRow = target.Slice(y * ow, ow);
                        if ((uint)iy >= (uint)g.Height)
                        {
                            outRow.Clear();
                            continue;
                        }

                        var inRow = plane.Slice(iy * g.Width, g.Width);
                        if (g.StrideWidth == 1)
                        {
                            // Contiguous: the valid stretch is one copy, the padding on either side zeros.
                            int first = Math.Clamp(-dx, 0, ow), last = Math.Clamp(g.Width - dx, 0, ow);
                            outRow[..first].Clear();
                            if (last > first) inRow.Slice(first + dx, last - first).CopyTo(outRow[first..last]);
                            outRow[Math.Max(first, last)..].Clear();
                        }
                        else
                        {
                            for (int x = 0; x < ow; x++)
                            {
                                int ix = (x * g.StrideWidth) + dx;
                                outRow[x] = (uint)ix < (uint)g.Width ? inRow[ix] : T.Zero;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Folds <paramref name="columns"/> (C·KH·KW × OH·OW) back into one image (C × H × W), adding to it.</summary>
    public static void FoldAdd<T>(ReadOnlySpan<T> columns, in Conv2dGeometry g, Span<T> image)
        where T : unmanaged, INumber<T>
    {
        int oh = g.OutputHeight, ow = g.OutputWidth, positions = oh * ow;
        int row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    var source = columns.Slice(row * positions, positions);
                    int dx = (kw * g.DilationWidth) - g.PaddingWidth;
                    for (int y = 0; y < oh; y++)
                    {
                        int iy = (y * g.StrideHeight) - g.PaddingHeight + (kh * g.DilationHeight);
                        if ((uint)iy >= (uint)g.Height) continue;
                        var inRow = plane.Slice(iy * g.Width, g.Width);
                        var colRow = source.Slice(y * ow, ow);
                        for (int x = 0; x < ow; x++)
                        {
                            int ix = (x * g.StrideWidth) + dx;
                            if ((uint)ix < (uint)g.Width) inRow[ix] += colRow[x];
                        }
                    }
                }
            }
        }
    }
}
