namespace Nabla.Tests.Threading;

/// <summary>Tests that compare results or allocations across thread counts run alone. Their limits
/// (<see cref="Parallelism.Limit"/>) are their own thread's, but the kernel threads are one pool for the process: a test
/// beside them would make their jobs wait for it, or run on fewer threads than they asked for, and the timing-sensitive
/// ones (bytes per replayed step) would measure that instead.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "Compares thread counts";
}
