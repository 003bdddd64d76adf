using Nabla.Kernels.Gemm;

namespace Nabla.Tests.Kernels;

/// <summary>CI runs the kernel and op tests three times: as the machine is, with AVX-512 switched off (the AVX2 path)
/// and with AVX2 switched off (the Vector128 path, the one ARM64 takes too). Each run names the path it means to test in
/// <see cref="VectorPathFactAttribute.Variable"/>, so that a switch the runtime ignores fails the run instead of
/// testing the native path three times: .NET 10 ignores <c>DOTNET_EnableAVX512F=0</c>, the name older runtimes read,
/// and takes <c>DOTNET_EnableAVX512=0</c>.</summary>
public sealed class VectorPathTests
{
    [VectorPathFact]
    public void The_kernels_take_the_vector_path_this_run_asks_for()
    {
        var expected = Enum.Parse<GemmKernel>(Environment.GetEnvironmentVariable(VectorPathFactAttribute.Variable)!);
        Assert.Equal(expected, GemmKernels.Best);
    }
}

/// <summary>A test that runs only when <see cref="Variable"/> names the vector path of this run (Vector512, Vector256 or
/// Vector128), as CI's runs do.</summary>
public sealed class VectorPathFactAttribute : FactAttribute
{
    /// <summary>The variable CI sets to the path each run means to test.</summary>
    public const string Variable = "NABLA_EXPECT_VECTOR_PATH";

    public VectorPathFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Skip = $"{Variable} is not set: this run tests the machine's own path";
    }
}
