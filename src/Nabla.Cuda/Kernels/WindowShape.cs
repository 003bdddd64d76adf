using Nabla.Kernels.Convolution;

namespace Nabla.Cuda.Kernels;

/// <summary>A convolution's or pooling's window over NCHW images (Conv2dGeometry's sizes with its output size worked
/// out), as the plain value a kernel takes.</summary>
internal struct WindowShape
{
    public int Channels, Height, Width;
    public int KernelHeight, KernelWidth, StrideHeight, StrideWidth, PaddingHeight, PaddingWidth, DilationHeight, DilationWidth;
    public int OutputHeight, OutputWidth;

    /// <summary>A convolution's images and groups: its columns are laid out (Groups, PatchSize, Batch, Positions).
    /// Pooling leaves them unset.</summary>
    public int Batch, Groups;

    public static WindowShape Of(in Conv2dGeometry g) => new()
    {
        Channels = g.Channels,
        Height = g.Height,
        Width = g.Width,
        KernelHeight = g.KernelHeight,
        KernelWidth = g.KernelWidth,
        StrideHeight = g.StrideHeight,
        StrideWidth = g.StrideWidth,
        PaddingHeight = g.PaddingHeight,
        PaddingWidth = g.PaddingWidth,
        DilationHeight = g.DilationHeight,
        DilationWidth = g.DilationWidth,
        OutputHeight = g.OutputHeight,
        OutputWidth = g.OutputWidth,
    };

    /// <summary>Rows of an image's columns: one per channel and kernel position.</summary>
    public readonly int PatchSize => Channels * KernelHeight * KernelWidth;

    /// <summary>Output positions of one image and channel.</summary>
    public readonly int Positions => OutputHeight * OutputWidth;

    /// <summary>The output row along the height that reads input row <paramref name="h"/> at kernel row
    /// <paramref name="kh"/>, or −1 when none does: o·S − P + k·D = h.</summary>
    public readonly int OutputRow(int h, int kh) => Source(h + PaddingHeight - (kh * DilationHeight), StrideHeight, OutputHeight);

    /// <summary>As <see cref="OutputRow"/>, along the width.</summary>
    public readonly int OutputColumn(int w, int kw) => Source(w + PaddingWidth - (kw * DilationWidth), StrideWidth, OutputWidth);

    private static int Source(int offset, int stride, int outputs) => offset < 0 || offset % stride != 0 || offset / stride >= outputs ? -1 : offset / stride;
}
