namespace Nabla;

/// <summary>How many threads the multithreaded kernels (matrix products above all) may use: a setting of the thread
/// that launches them, opened as a scope (<see cref="Limit"/>), never a process-wide variable, so that two trainings on
/// two threads, or a test beside another, cannot change each other's threads.</summary>
public static class Parallelism
{
    [ThreadStatic]
    private static int t_maxThreads;   // 0: no limit set on this thread

    /// <summary>How many threads a kernel launched from this thread may use: the count of the innermost
    /// <see cref="Limit"/> scope open on this thread, else the number of cores.</summary>
    public static int MaxThreads => t_maxThreads > 0 ? t_maxThreads : Environment.ProcessorCount;

    /// <summary>Lets the kernels launched from this thread use at most <paramref name="threads"/> threads until the
    /// returned scope is disposed; scopes nest, and other threads keep their own setting.</summary>
    /// <example><code>using (Parallelism.Limit(1)) trainer.Fit(train, test, options);   // a single-threaded run</code></example>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static Scope Limit(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int previous = t_maxThreads;
        t_maxThreads = threads;
        return new Scope(previous);
    }

    /// <summary>Puts back the limit that was in force before <see cref="Limit"/> when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose() => t_maxThreads = _previous;
    }
}
