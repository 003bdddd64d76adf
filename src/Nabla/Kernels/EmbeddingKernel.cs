using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Embedding's row copies; the math is in <c>EmbeddingFunction</c>'s summary.</summary>
internal static class EmbeddingKernel
{
    /// <summary>y[i, :] = table[indices[i], :], each row <paramref name="dimension"/> long.</summary>
    public static void Gather<T>(ReadOnlySpan<T> table, ReadOnlySpan<int> indices, int dimension, Span<T> y)
    {
        for (int i = 0; i < indices.Length; i++) table.Slice(indices[i] * dimension, dimension).CopyTo(y.Slice(i * dimension, dimension));
    }

    /// <summary>gw[indices[i], :] += g[i, :] for every i in order, so an index used twice gets both rows.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> indices, int dimension, Span<T> gw)
        where T : INumber<T>
    {
        for (int i = 0; i < indices.Length; i++)
        {
            var row = gw.Slice(indices[i] * dimension, dimension);
            var from = g.Slice(i * dimension, dimension);
            for (int d = 0; d < dimension; d++) row[d] += from[d];
        }
    }
}
