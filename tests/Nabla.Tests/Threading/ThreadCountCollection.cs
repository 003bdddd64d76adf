namespace Nabla.Tests.Threading;

/// <summary>Tests that change <see cref="Parallelism.MaxThreads"/>, a process-wide setting, run alone: a test running
/// beside them could otherwise see its thread count change half-way, and with it how sums are split across threads —
/// which breaks the bit-for-bit comparisons of the determinism and resume tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "Changes Parallelism.MaxThreads";
}
