using System.Diagnostics;
using Nabla.LinearAlgebra;

namespace Nabla.Cli.Benchmarks;

/// <summary>W3: float32 GEMM throughput at 1024³ and on the W1 shapes, in the three forms training uses
/// (forward A·Bᵀ, weight gradient Aᵀ·B, input gradient A·B).</summary>
internal static class GemmWorkload
{
    /// <summary>One product to time: C[m×n] = op(A)·op(B).</summary>
    public sealed record Case(string Name, int M, int K, int N, bool TransposeA, bool TransposeB)
    {
        public double Flops => 2.0 * M * K * N;
    }

    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("1024³ A·B", 1024, 1024, 1024, false, false),
        new("W1 fc1 forward X·W1ᵀ", 128, 784, 512, false, true),
        new("W1 fc1 weight grad Gᵀ·X", 512, 128, 784, true, false),
        new("W1 fc2 forward H1·W2ᵀ", 128, 512, 256, false, true),
        new("W1 fc2 weight grad Gᵀ·H1", 256, 128, 512, true, false),
        new("W1 fc2 input grad G·W2", 128, 256, 512, false, false),
        new("W1 fc3 forward H2·W3ᵀ", 128, 256, 10, false, true),
        new("W1 fc3 weight grad Gᵀ·H2", 10, 128, 256, true, false),
        new("W1 fc3 input grad G·W3", 128, 10, 256, false, false),
    ];

    /// <summary>One run's figures: the median rate of its repetitions, and the bytes allocated per product.</summary>
    public readonly record struct Result(double GigaflopsPerSecond, double BytesPerProduct);

    /// <summary>GFLOP/s of one run: the median rate of the repetitions made in <paramref name="seconds"/>.</summary>
    public static Result Measure(Case c, double seconds)
    {
        var random = new Random(1);
        var a = RandomArray(random, c.M * c.K);
        var b = RandomArray(random, c.K * c.N);
        var output = new float[c.M * c.N];
        // Warm up for 1 s: the packing buffers, the worker threads, and the JIT's tiered compilation, which at 1024³
        // (11 ms a product, 30 calls before a method is promoted) still runs part of the driver and the packing
        // unoptimised for the first 0.25–0.4 s (measured: 145–169 GFLOP/s in the first quarter second, 181–200 after).
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.0) Blas.Gemm(a, c.TransposeA, b, c.TransposeB, output, c.M, c.K, c.N);
        var rates = new List<double>(capacity: 100_000);   // sized up front, so the harness allocates nothing while timing
        long products = 0;
        var before = AllocationProbe.Now();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || rates.Count < 3)
        {
            // Batch tiny products so that one timing covers at least ~1 ms.
            int repeats = Math.Max(1, (int)(2e6 / c.Flops * 50));
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < repeats; r++) Blas.Gemm(a, c.TransposeA, b, c.TransposeB, output, c.M, c.K, c.N);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            rates.Add(c.Flops * repeats / elapsed / 1e9);
            products += repeats;
        }

        var allocated = AllocationProbe.Now() - before;
        return new Result(Statistics.Median(rates), (double)allocated.TotalBytes / products);
    }

    private static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2) - 1);
        return values;
    }
}
