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

    private int _m, _k, _n;
    private bool _transposeA, _transposeB;

    private Parallelism.Scope _threadLimit;

    [GlobalCleanup]
    public void Cleanup() => _threadLimit.Dispose();

    [GlobalSetup]
    public void Setup()
    {
        // Parsed once here: the benchmark method itself must allocate nothing, so that the Allocated column is the GEMM's.
        var dims = Shape.Split(' ')[0].Split('x').Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        (_m, _k, _n) = (dims[0], dims[1], dims[2]);
        _transposeA = Shape.EndsWith("AtB", StringComparison.Ordinal);
        _transposeB = Shape.EndsWith("ABt", StringComparison.Ordinal);
        _threadLimit = Parallelism.Limit(Threads);   // BenchmarkDotNet runs setup, iterations and cleanup on one thread
        var random = new Random(1);
        _a = Enumerable.Range(0, _m * _k).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _b = Enumerable.Range(0, _k * _n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _c = new float[_m * _n];
    }

    [Benchmark]
    public void Gemm() => Blas.Gemm(_a, _transposeA, _b, _transposeB, _c, _m, _k, _n);
}
