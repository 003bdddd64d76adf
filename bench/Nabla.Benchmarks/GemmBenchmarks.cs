using BenchmarkDotNet.Attributes;
using Nabla;
using Nabla.LinearAlgebra;

namespace Nabla.Benchmarks;

/// <summary>The W3 products (DESIGN.md): 1024³ and the W1 shapes in the forms training uses, on 1 thread and on all
/// cores. Throughput in GFLOP/s is 2·m·k·n divided by the mean time.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>m×k×n and the transpositions: "AB", "ABt" (forward X·Wᵀ) or "AtB" (weight gradient Gᵀ·X).</summary>
    [Params("1024x1024x1024 AB", "128x784x512 ABt", "512x128x784 AtB", "128x512x256 ABt", "128x256x512 AB", "128x256x10 ABt")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    private int M => Dim(0);

    private int K => Dim(1);

    private int N => Dim(2);

    private bool TransposeA => Shape.EndsWith("AtB", StringComparison.Ordinal);

    private bool TransposeB => Shape.EndsWith("ABt", StringComparison.Ordinal);

    private int Dim(int i) => int.Parse(Shape.Split(' ')[0].Split('x')[i], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        Parallelism.MaxThreads = Threads;
        var random = new Random(1);
        _a = Enumerable.Range(0, M * K).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _b = Enumerable.Range(0, K * N).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _c = new float[M * N];
    }

    [Benchmark]
    public void Gemm() => Blas.Gemm(_a, TransposeA, _b, TransposeB, _c, M, K, N);
}
