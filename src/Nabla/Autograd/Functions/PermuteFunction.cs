using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = x with its axes reordered: y's axis i is x's axis perm[i].</summary>
internal sealed class PermuteFunction(Tensor x, int[] perm) : Function(x)
{
    public override string Name => "Permute";

    public static Tensor Apply(Tensor x, int[] perm)
    {
        if (perm.Length != x.Rank || perm.Select(p => p < 0 ? p + x.Rank : p).Order().Where((p, i) => p != i).Any())
            throw new ArgumentException($"permute: ({string.Join(", ", perm)}) is not a permutation of the axes of shape {x.Shape}");
        var normalized = perm.Select(p => p < 0 ? p + x.Rank : p).ToArray();
        var y = x.RawPermute(normalized);
        return Needed(x) ? Record(y, new PermuteFunction(x, normalized)) : y;
    }

    // ∂L/∂x = ∂L/∂y permuted back by the inverse permutation
    public override Tensor?[] Backward(Tensor g)
    {
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [g.RawPermute(inverse)];
    }
}
