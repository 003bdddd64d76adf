using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels.Gemm;

/// <summary>The innermost loops of the matrix product: one MR×NR tile of C from a packed A panel and a packed B panel.</summary>
/// <remarks>
/// <para>The math: C[i, j] (+)= Σₚ A[i, p]·B[p, j] for the tile's MR rows i and NR columns j, p over one block of depth kc.</para>
/// <para>Packed layouts (made by <see cref="GemmPacking"/>): the A panel holds, for each p, the MR values A[i₀..i₀+MR, p]
/// (with <see cref="InPlacePanel"/>, a plain A is read where it lies instead: rows <c>aRow</c> apart, depths adjacent,
/// since a broadcast needs no contiguity);
/// the B panel holds, for each p, the NR values B[p, j₀..j₀+NR], <c>bStride</c> apart: NR when packed, B's row length
/// when a plain B is read where it lies (see <c>Gemm</c>). So each step of p reads one contiguous run of each,
/// broadcasts every A value and multiply-adds it into a row of accumulators: MR·NR/W independent FMA chains that stay
/// in registers for the whole depth, enough to cover the FMA latency on every core we target.</para>
/// <para>Tile shapes fit the register file: AVX-512 has 32 vector registers, so 8 rows × 2 vectors = 16 accumulators
/// (+2 for B, +1 broadcast); AVX2 and SSE have 16, so 6 rows × 2 vectors = 12 (+3), the classic Haswell shape; the same
/// 6×2 tile serves Arm's NEON (Vector128, 32 registers).</para>
/// <para>When <c>accumulate</c> is false the tile is written, otherwise added to C: the driver writes on the first depth
/// block and adds on the later ones.</para>
/// </remarks>
internal static class GemmMicroKernels
{
    public const int Rows512 = 8;
    public const int Rows256 = 6;
    public const int Rows128 = 6;

    /// <summary>Rows of the AVX2 kernel's second, shorter tile. A block whose row count is not a multiple of six ends in
    /// one or two four-row panels instead of a padded six-row one: 128 rows = 20 × 6 + 2 × 4, where one six-row panel
    /// holding the last two rows would have computed four rows of zeros, 3% of the whole product. Four rows × 2 vectors
    /// = 8 accumulators, enough independent chains to keep both FMA pipes busy. (The Vector128 kernel, measured on no
    /// machine that takes it, pads as the AVX-512 one does.)</summary>
    public const int ShortRows = 4;

    /// <summary>a·b + c with one rounding (the hardware FMA for float and double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return (a * b) + c;
    }

    /// <summary>a·b + c on 128-bit vectors: one fused instruction where the processor has one (x86 with FMA, Arm),
    /// else a multiply and an add. Vector128.FusedMultiplyAdd without the instruction is emulated element by element in
    /// software, which made the whole product 30× slower on the x86 cores without AVX2 (Celeron, Pentium Silver, any
    /// run with AVX2 switched off). The choice is a constant to the JIT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) return (a * b) + c;
        if (typeof(T) == typeof(float)) return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return (a * b) + c;
    }

    /// <summary>Writes <paramref name="value"/> to destination + offset, or adds it there when accumulating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store<T>(Vector512<T> value, ref T destination, nuint offset, bool accumulate)
    {
        if (accumulate) value += Vector512.LoadUnsafe(ref destination, offset);
        value.StoreUnsafe(ref destination, offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store<T>(Vector256<T> value, ref T destination, nuint offset, bool accumulate)
    {
        if (accumulate) value += Vector256.LoadUnsafe(ref destination, offset);
        value.StoreUnsafe(ref destination, offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Vector128<T> value, ref T destination, nuint offset, bool accumulate)
    {
        if (accumulate) value += Vector128.LoadUnsafe(ref destination, offset);
        value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>An 8 × 2·W tile with 512-bit vectors (W = 16 floats or 8 doubles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile512<T, TPanel>(ref T a, nint aRow, ref T b, nint bStride, int kc, ref T c, nint ldc, bool accumulate)
        where T : unmanaged, INumber<T>
        where TPanel : struct, IAPanel
    {
        nuint w = (nuint)Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        // Packed, row r of the A panel is at a + r and depth p at + p·rows, constants to the JIT; read in place, row r
        // is at a + r·aRow (rows from 3 on from a second base, so that each broadcast is one load from [base +
        // index·scale]) and depth p at + p. TPanel.InPlace is a constant: each instantiation keeps one form.
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        nint aRow2 = 2 * aRow;
        ref T a6 = ref Unsafe.Add(ref a3, 3 * aRow);
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b);
            var b1 = Vector512.LoadUnsafe(ref b, w);
            var x = Vector512.Create(a);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector512.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow) : Unsafe.Add(ref a, 1));
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector512.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow2) : Unsafe.Add(ref a, 2));
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector512.Create(TPanel.InPlace ? a3 : Unsafe.Add(ref a, 3));
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector512.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow) : Unsafe.Add(ref a, 4));
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector512.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow2) : Unsafe.Add(ref a, 5));
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            x = Vector512.Create(TPanel.InPlace ? a6 : Unsafe.Add(ref a, 6));
            c60 = Fma(x, b0, c60); c61 = Fma(x, b1, c61);
            x = Vector512.Create(TPanel.InPlace ? Unsafe.Add(ref a6, aRow) : Unsafe.Add(ref a, 7));
            c70 = Fma(x, b0, c70); c71 = Fma(x, b1, c71);
            a = ref Unsafe.Add(ref a, TPanel.InPlace ? 1 : Rows512);
            if (TPanel.InPlace) a3 = ref Unsafe.Add(ref a3, 1);
            if (TPanel.InPlace) a6 = ref Unsafe.Add(ref a6, 1);
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldc;
        Store(c00, ref c, 0, accumulate); Store(c01, ref c, w, accumulate);
        Store(c10, ref c, row, accumulate); Store(c11, ref c, row + w, accumulate);
        Store(c20, ref c, 2 * row, accumulate); Store(c21, ref c, (2 * row) + w, accumulate);
        Store(c30, ref c, 3 * row, accumulate); Store(c31, ref c, (3 * row) + w, accumulate);
        Store(c40, ref c, 4 * row, accumulate); Store(c41, ref c, (4 * row) + w, accumulate);
        Store(c50, ref c, 5 * row, accumulate); Store(c51, ref c, (5 * row) + w, accumulate);
        Store(c60, ref c, 6 * row, accumulate); Store(c61, ref c, (6 * row) + w, accumulate);
        Store(c70, ref c, 7 * row, accumulate); Store(c71, ref c, (7 * row) + w, accumulate);
    }

    /// <summary>A 6 × 2·W tile with 256-bit vectors (W = 8 floats or 4 doubles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile256<T, TPanel>(ref T a, nint aRow, ref T b, nint bStride, int kc, ref T c, nint ldc, bool accumulate)
        where T : unmanaged, INumber<T>
        where TPanel : struct, IAPanel
    {
        nuint w = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Packed, row r of the A panel is at a + r and depth p at + p·rows, constants to the JIT; read in place, row r
        // is at a + r·aRow (rows from 3 on from a second base, so that each broadcast is one load from [base +
        // index·scale]) and depth p at + p. TPanel.InPlace is a constant: each instantiation keeps one form.
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        nint aRow2 = 2 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, w);
            var x = Vector256.Create(a);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow) : Unsafe.Add(ref a, 1));
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow2) : Unsafe.Add(ref a, 2));
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(TPanel.InPlace ? a3 : Unsafe.Add(ref a, 3));
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow) : Unsafe.Add(ref a, 4));
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow2) : Unsafe.Add(ref a, 5));
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a = ref Unsafe.Add(ref a, TPanel.InPlace ? 1 : Rows256);
            if (TPanel.InPlace) a3 = ref Unsafe.Add(ref a3, 1);
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldc;
        Store(c00, ref c, 0, accumulate); Store(c01, ref c, w, accumulate);
        Store(c10, ref c, row, accumulate); Store(c11, ref c, row + w, accumulate);
        Store(c20, ref c, 2 * row, accumulate); Store(c21, ref c, (2 * row) + w, accumulate);
        Store(c30, ref c, 3 * row, accumulate); Store(c31, ref c, (3 * row) + w, accumulate);
        Store(c40, ref c, 4 * row, accumulate); Store(c41, ref c, (4 * row) + w, accumulate);
        Store(c50, ref c, 5 * row, accumulate); Store(c51, ref c, (5 * row) + w, accumulate);
    }

    /// <summary>A 4 × 2·W tile with 256-bit vectors: the short tile that ends a block of the six-row kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile256Short<T, TPanel>(ref T a, nint aRow, ref T b, nint bStride, int kc, ref T c, nint ldc, bool accumulate)
        where T : unmanaged, INumber<T>
        where TPanel : struct, IAPanel
    {
        nuint w = (nuint)Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        // Packed, row r of the A panel is at a + r and depth p at + p·rows, constants to the JIT; read in place, row r
        // is at a + r·aRow (rows from 3 on from a second base, so that each broadcast is one load from [base +
        // index·scale]) and depth p at + p. TPanel.InPlace is a constant: each instantiation keeps one form.
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        nint aRow2 = 2 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref b);
            var b1 = Vector256.LoadUnsafe(ref b, w);
            var x = Vector256.Create(a);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow) : Unsafe.Add(ref a, 1));
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector256.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow2) : Unsafe.Add(ref a, 2));
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector256.Create(TPanel.InPlace ? a3 : Unsafe.Add(ref a, 3));
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            a = ref Unsafe.Add(ref a, TPanel.InPlace ? 1 : ShortRows);
            if (TPanel.InPlace) a3 = ref Unsafe.Add(ref a3, 1);
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldc;
        Store(c00, ref c, 0, accumulate); Store(c01, ref c, w, accumulate);
        Store(c10, ref c, row, accumulate); Store(c11, ref c, row + w, accumulate);
        Store(c20, ref c, 2 * row, accumulate); Store(c21, ref c, (2 * row) + w, accumulate);
        Store(c30, ref c, 3 * row, accumulate); Store(c31, ref c, (3 * row) + w, accumulate);
    }

    /// <summary>A 6 × 2·W tile with 128-bit vectors (W = 4 floats or 2 doubles): SSE, NEON, or software.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile128<T, TPanel>(ref T a, nint aRow, ref T b, nint bStride, int kc, ref T c, nint ldc, bool accumulate)
        where T : unmanaged, INumber<T>
        where TPanel : struct, IAPanel
    {
        nuint w = (nuint)Vector128<T>.Count;
        Vector128<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Packed, row r of the A panel is at a + r and depth p at + p·rows, constants to the JIT; read in place, row r
        // is at a + r·aRow (rows from 3 on from a second base, so that each broadcast is one load from [base +
        // index·scale]) and depth p at + p. TPanel.InPlace is a constant: each instantiation keeps one form.
        ref T a3 = ref Unsafe.Add(ref a, 3 * aRow);
        nint aRow2 = 2 * aRow;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.LoadUnsafe(ref b);
            var b1 = Vector128.LoadUnsafe(ref b, w);
            var x = Vector128.Create(a);
            c00 = Fma(x, b0, c00); c01 = Fma(x, b1, c01);
            x = Vector128.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow) : Unsafe.Add(ref a, 1));
            c10 = Fma(x, b0, c10); c11 = Fma(x, b1, c11);
            x = Vector128.Create(TPanel.InPlace ? Unsafe.Add(ref a, aRow2) : Unsafe.Add(ref a, 2));
            c20 = Fma(x, b0, c20); c21 = Fma(x, b1, c21);
            x = Vector128.Create(TPanel.InPlace ? a3 : Unsafe.Add(ref a, 3));
            c30 = Fma(x, b0, c30); c31 = Fma(x, b1, c31);
            x = Vector128.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow) : Unsafe.Add(ref a, 4));
            c40 = Fma(x, b0, c40); c41 = Fma(x, b1, c41);
            x = Vector128.Create(TPanel.InPlace ? Unsafe.Add(ref a3, aRow2) : Unsafe.Add(ref a, 5));
            c50 = Fma(x, b0, c50); c51 = Fma(x, b1, c51);
            a = ref Unsafe.Add(ref a, TPanel.InPlace ? 1 : Rows128);
            if (TPanel.InPlace) a3 = ref Unsafe.Add(ref a3, 1);
            b = ref Unsafe.Add(ref b, bStride);
        }

        nuint row = (nuint)ldc;
        Store(c00, ref c, 0, accumulate); Store(c01, ref c, w, accumulate);
        Store(c10, ref c, row, accumulate); Store(c11, ref c, row + w, accumulate);
        Store(c20, ref c, 2 * row, accumulate); Store(c21, ref c, (2 * row) + w, accumulate);
        Store(c30, ref c, 3 * row, accumulate); Store(c31, ref c, (3 * row) + w, accumulate);
        Store(c40, ref c, 4 * row, accumulate); Store(c41, ref c, (4 * row) + w, accumulate);
        Store(c50, ref c, 5 * row, accumulate); Store(c51, ref c, (5 * row) + w, accumulate);
    }
}

/// <summary>Where a micro-kernel finds its A panel: packed (<see cref="PackedPanel"/>) or in a plain A, read where it
/// lies (<see cref="InPlacePanel"/>). A type argument rather than a flag, so that the packed kernels keep constant
/// offsets: with the strides as variables they ran 2–6% slower at 1024³.</summary>
internal interface IAPanel
{
    static abstract bool InPlace { get; }
}

#pragma warning disable SA1402 // the two panel kinds belong with their interface
internal readonly struct PackedPanel : IAPanel { public static bool InPlace => false; }

internal readonly struct InPlacePanel : IAPanel { public static bool InPlace => true; }
#pragma warning restore SA1402
