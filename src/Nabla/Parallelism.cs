namespace Nabla;

/// <summary>The library-wide thread setting used by the multithreaded kernels (matrix multiplication above all).</summary>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>How many threads a kernel may use; defaults to the number of cores. Set to 1 for single-threaded runs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxThreads = value;
        }
    }
}
