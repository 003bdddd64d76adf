namespace Nabla.Training;

/// <summary>The processes (ranks) of a data-parallel run, and the two collectives it needs: a sum of every rank's
/// values and a broadcast from one rank. <c>Nabla.Distributed</c> implements it over MPI; the core library holds no
/// transport of its own, and a run without a group is a single process as always.</summary>
/// <remarks>Every rank must call each collective in the same order with the same lengths, as in MPI.</remarks>
public interface IProcessGroup
{
    /// <summary>This process's index, 0 to <see cref="Size"/> − 1. Rank 0 prints, saves and broadcasts.</summary>
    int Rank { get; }

    /// <summary>N, the number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over all ranks, added in rank
    /// order, (((v₀ + v₁) + v₂) + …), so that the result has the same bits on every rank and in every run with the same
    /// N, whatever algorithm the transport would have chosen.</summary>
    void SumInRankOrder(Span<float> values);

    /// <inheritdoc cref="SumInRankOrder(Span{float})"/>
    void SumInRankOrder(Span<double> values);

    /// <summary>Whether the collectives may be called from any thread, one call at a time (MPI_THREAD_SERIALIZED). Then a
    /// data-parallel step sums each bucket of finished gradients on a thread of its own while the backward pass goes
    /// on; otherwise (the default) it sums them all after the backward pass, on the training loop's thread.</summary>
    bool CallableFromAnyThread => false;

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="bytes"/> to every other rank.</summary>
    void Broadcast(Span<byte> bytes, int root);
}
