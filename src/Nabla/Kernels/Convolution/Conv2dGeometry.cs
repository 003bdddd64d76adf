namespace Nabla.Kernels.Convolution;

/// <summary>The sizes of one 2-D convolution or pooling window over NCHW tensors, and its output size.</summary>
/// <remarks>
/// Along each spatial axis, with input size I, kernel K, stride S, padding P and dilation D:
/// <code>O = ⌊(I + 2P − D·(K − 1) − 1) / S⌋ + 1</code>
/// Output position o reads input positions o·S − P + k·D for k = 0…K−1; positions outside [0, I) read the padding.
/// </remarks>
internal readonly record struct Conv2dGeometry(
    int Channels, int Height, int Width,
    int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth,
    int PaddingHeight, int PaddingWidth,
    int DilationHeight, int DilationWidth)
{
    public int OutputHeight => OutputSize(Height, KernelHeight, StrideHeight, PaddingHeight, DilationHeight);

    public int OutputWidth => OutputSize(Width, KernelWidth, StrideWidth, PaddingWidth, DilationWidth);

    /// <summary>O along one axis. A window wider than the padded input gives no output. The floor matters: C#'s
    /// division truncates towards zero, which would turn a span of −1 into one output position (a 4×4 pool over a
    /// 3×3 image).</summary>
    internal static int OutputSize(int input, int kernel, int stride, int padding, int dilation) =>
        (int)OutputSize((long)input, kernel, stride, padding, dilation);

    /// <summary>The same in 64 bits, for sizes not yet checked (architecture descriptions from files): with each
    /// size up to int.MaxValue, 2P and D·(K − 1) cannot overflow.</summary>
    internal static long OutputSize(long input, long kernel, long stride, long padding, long dilation)
    {
        long span = input + (2 * padding) - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }

    /// <summary>Rows of the unfolded input: one per channel and kernel position.</summary>
    public int PatchSize => Channels * KernelHeight * KernelWidth;

    /// <summary>Columns of the unfolded input: one per output position.</summary>
    public int OutputPositions => OutputHeight * OutputWidth;

    public int ImageSize => Channels * Height * Width;

    /// <summary>Throws, naming the operation and the sizes, when a size is not positive or the window does not fit.</summary>
    public void Validate(string operation)
    {
        if (KernelHeight < 1 || KernelWidth < 1) throw new ArgumentException($"{operation}: kernel size must be positive, got {KernelHeight}×{KernelWidth}");
        if (StrideHeight < 1 || StrideWidth < 1) throw new ArgumentException($"{operation}: stride must be positive, got {StrideHeight}×{StrideWidth}");
        if (PaddingHeight < 0 || PaddingWidth < 0) throw new ArgumentException($"{operation}: padding must not be negative, got {PaddingHeight}×{PaddingWidth}");
        if (DilationHeight < 1 || DilationWidth < 1) throw new ArgumentException($"{operation}: dilation must be positive, got {DilationHeight}×{DilationWidth}");
        if (OutputHeight < 1 || OutputWidth < 1)
        {
            throw new ArgumentException(
                $"{operation}: a {KernelHeight}×{KernelWidth} window (dilation {DilationHeight}×{DilationWidth}, padding {PaddingHeight}×{PaddingWidth}) does not fit a {Height}×{Width} input");
        }
    }
}
