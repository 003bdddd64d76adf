using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Cli.Benchmarks;

/// <summary>The cores' peak float32 multiply-add rate on the vector path the GEMM takes, measured rather than looked up:
/// a short managed loop of ten independent fused multiply-add chains per thread (enough to cover an FMA's latency of
/// 4 cycles at 2 per cycle on current x86 cores), run on every benchmark thread at once, so that the clock the cores
/// hold under load is the one measured. W3 reports each product's GFLOP/s as a share of it.</summary>
internal static class FmaPeak
{
    private const int Chains = 10;

    /// <summary>Whether the processor multiplies and adds in one instruction. Where it does not (x86 without FMA, or a
    /// run with AVX2 switched off) the GEMM multiplies and adds, and no short loop pins that peak down reliably: it is
    /// not measured.</summary>
    public static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>The vectors the loop runs on, as the GEMM chooses them.</summary>
    public static string Path => Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128";

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the loop together (after a warm-up), or null
    /// where the processor has no fused multiply-add (<see cref="Fused"/>).</summary>
    public static double? GigaflopsPerSecond(int threads)
    {
        if (!Fused) return null;
        // Warm up for as long as a W3 case does (1 s): the JIT's final tier, and the cores' clocks up under load.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.0) Run(threads, iterations: 1_000_000);
        // Then the best of five timings of about 0.05 s each: the peak is what the cores can do, so the fastest counts.
        const long iterations = 5_000_000;
        int lanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
        double flopsPerIteration = 2.0 * Chains * lanes;
        double best = 0;
        for (int r = 0; r < 5; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(threads, iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, flopsPerIteration * iterations * threads / seconds / 1e9);
        }

        return best;
    }

    private static void Run(int threads, long iterations)
    {
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() => Sink(Loop(iterations)));
            workers[t].Start();
        }

        foreach (var worker in workers) worker.Join();
    }

    // The result is kept so that the JIT cannot drop the loop.
    private static float s_sink;

    private static void Sink(float value) => s_sink += value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop(long iterations) =>
        Vector512.IsHardwareAccelerated ? Loop512(iterations) : Vector256.IsHardwareAccelerated ? Loop256(iterations) : Loop128(iterations);

    private static float Loop512(long iterations)
    {
        Vector512<float> b = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
        Vector512<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, b, c); a1 = Vector512.FusedMultiplyAdd(a1, b, c);
            a2 = Vector512.FusedMultiplyAdd(a2, b, c); a3 = Vector512.FusedMultiplyAdd(a3, b, c);
            a4 = Vector512.FusedMultiplyAdd(a4, b, c); a5 = Vector512.FusedMultiplyAdd(a5, b, c);
            a6 = Vector512.FusedMultiplyAdd(a6, b, c); a7 = Vector512.FusedMultiplyAdd(a7, b, c);
            a8 = Vector512.FusedMultiplyAdd(a8, b, c); a9 = Vector512.FusedMultiplyAdd(a9, b, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }

    private static float Loop256(long iterations)
    {
        Vector256<float> b = Vector256.Create(0.999999f), c = Vector256.Create(1e-7f);
        Vector256<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, b, c); a1 = Vector256.FusedMultiplyAdd(a1, b, c);
            a2 = Vector256.FusedMultiplyAdd(a2, b, c); a3 = Vector256.FusedMultiplyAdd(a3, b, c);
            a4 = Vector256.FusedMultiplyAdd(a4, b, c); a5 = Vector256.FusedMultiplyAdd(a5, b, c);
            a6 = Vector256.FusedMultiplyAdd(a6, b, c); a7 = Vector256.FusedMultiplyAdd(a7, b, c);
            a8 = Vector256.FusedMultiplyAdd(a8, b, c); a9 = Vector256.FusedMultiplyAdd(a9, b, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }

    private static float Loop128(long iterations)
    {
        Vector128<float> b = Vector128.Create(0.999999f), c = Vector128.Create(1e-7f);
        Vector128<float> a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b, a8 = b, a9 = b;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, b, c); a1 = Vector128.FusedMultiplyAdd(a1, b, c);
            a2 = Vector128.FusedMultiplyAdd(a2, b, c); a3 = Vector128.FusedMultiplyAdd(a3, b, c);
            a4 = Vector128.FusedMultiplyAdd(a4, b, c); a5 = Vector128.FusedMultiplyAdd(a5, b, c);
            a6 = Vector128.FusedMultiplyAdd(a6, b, c); a7 = Vector128.FusedMultiplyAdd(a7, b, c);
            a8 = Vector128.FusedMultiplyAdd(a8, b, c); a9 = Vector128.FusedMultiplyAdd(a9, b, c);
        }

        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9);
    }
}
