namespace Nabla.Engine;

/// <summary>Consecutive elementwise kernels over the same elements, run as one kernel block by block: every member
/// runs on a block before any member moves to the next, so what one member writes is still in the L1 cache when the
/// next one reads it, instead of a pass over memory per member.</summary>
/// <remarks>Element i still sees the members in their recorded order, and an elementwise member's element i depends
/// only on element i of what it reads, so every element is computed as the unfused kernels computed it, bit for bit.
/// Blocks are <see cref="KernelFusion.BlockElements"/> long, a multiple of every vector width, and the last block takes
/// the remainder with it, so no block is shorter than a vector: each element takes the vector path it took
/// unfused.</remarks>
/// <param name="members">The members' range kernels (<see cref="ElementwiseForm.Range"/>), in order.</param>
/// <param name="length">The number of elements each member runs over.</param>
internal sealed class ElementwiseChain(Action<int, int>[] members, int length)
{
    /// <summary>The number of kernels chained.</summary>
    public int Count => members.Length;

    /// <summary>Runs every member over all elements, block by block, the blocks split across the kernel threads
    /// (<see cref="ElementwiseRun"/>).</summary>
    public void Run() => ElementwiseRun.Run(members, length);
}
