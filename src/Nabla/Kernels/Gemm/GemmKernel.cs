using System.Runtime.Intrinsics;

namespace Nabla.Kernels.Gemm;

/// <summary>Which micro-kernel the matrix product runs: the widest vectors the processor executes natively.</summary>
internal enum GemmKernel
{
    /// <summary>128-bit vectors, 6×2 tile: SSE, Arm NEON, or software where neither exists.</summary>
    Vector128,

    /// <summary>256-bit vectors, 6×2 tile: AVX2 with FMA.</summary>
    Vector256,

    /// <summary>512-bit vectors, 8×2 tile: AVX-512F.</summary>
    Vector512,
}

/// <summary>Tile shapes and cache-block sizes of each micro-kernel.</summary>
/// <remarks>
/// Blocking (after Goto and van de Geijn, and BLIS): the product is cut into kc-deep slices; a kc × nr micro-panel of
/// packed B is reused while the kernel walks down all the mr-row panels of a packed mc × kc block of A (in L2), and the
/// kc × nc panel of B is reused for every block of A (in L2/L3). On the Zen 4 EPYC of BENCHMARKS.md (32 KiB L1,
/// 1 MiB L2 per core), a one-off sweep (not kept as a benchmark) found kc from 128 to 384 and mc from 64 to 512 all
/// within 3% of each other at 1024³ and on the W1 shapes; the values below sit in the middle: a 128 × 256 float
/// block of A is 128 KiB, a 256 × 2048 panel of B 2 MiB.
/// Float64 uses the same element counts (its panels take twice the bytes; it serves gradient checks more than speed).
/// </remarks>
internal static class GemmKernels
{
    /// <summary>The best kernel this processor runs natively.</summary>
    public static GemmKernel Best { get; } =
        Vector512.IsHardwareAccelerated ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256
        : GemmKernel.Vector128;

    /// <summary>Rows of the register tile.</summary>
    public static int TileRows(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Vector512 => GemmMicroKernels.Rows512,
        GemmKernel.Vector256 => GemmMicroKernels.Rows256,
        _ => GemmMicroKernels.Rows128,
    };

    /// <summary>Rows of the kernel's short tile, which ends a block whose rows are not a whole number of tiles; 0 where
    /// there is none and the last panel is padded (AVX-512, Vector128).</summary>
    public static int ShortTileRows(GemmKernel kernel) => kernel == GemmKernel.Vector256 ? GemmMicroKernels.ShortRows : 0;

    /// <summary>How many full-height panels a block of <paramref name="rows"/> rows starts with; short panels cover the
    /// rest. Six-row kernel: a rest of 4 or 3 rows is one short panel; a rest of 2 or 1 is two short panels in place
    /// of the last full one (8 = 4 + 4, nothing padded; 7 rows pad one); a rest of 5 is one padded full panel. With no
    /// short tile the last panel is padded.</summary>
    public static int FullPanels(int rows, int tileRows, int shortRows)
    {
        int full = rows / tileRows, rest = rows % tileRows;
        if (rest == 0) return full;
        if (shortRows == 0 || rest > shortRows) return full + 1;
        if (rest + tileRows <= 2 * shortRows && full > 0) return full - 1;
        return full;
    }

    /// <summary>Columns of the register tile: two vectors of <typeparamref name="T"/>.</summary>
    public static int TileColumns<T>(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Vector512 => 2 * Vector512<T>.Count,
        GemmKernel.Vector256 => 2 * Vector256<T>.Count,
        _ => 2 * Vector128<T>.Count,
    };

    /// <summary>kc: the depth of one packed slice.</summary>
    public const int DepthBlock = 256;

    /// <summary>mc: rows of A packed at a time (rounded down to whole tiles by the driver).</summary>
    public const int RowBlock = 128;

    /// <summary>nc: columns of B packed at a time (rounded down to whole tiles by the driver).</summary>
    public const int ColumnBlock = 2048;
}
