using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>Reverse-mode differentiation: walks the graph below a root in reverse topological order and accumulates
/// gradients into the leaves that require them.</summary>
/// <remarks>Both the ordering and the walk are iterative, so graph depth is bounded by memory, not by the call stack.</remarks>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor seed)
    {
        var order = TopologicalOrder(root);

        // Each node's gradient so far, and whether it belongs to the node alone (the caller's seed does not).
        var pending = new Dictionary<Tensor, (Tensor Gradient, bool Owned)>(ReferenceEqualityComparer.Instance) { [root] = (seed, false) };

        using var _ = GradMode.NoGrad();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!pending.Remove(node, out var entry)) continue;
            var grad = entry.Gradient;
            var function = node.GradFn!;
            var inputGrads = function.Backward(grad, entry.Owned);
            for (int j = 0; j < function.Inputs.Length; j++)
            {
                var input = function.Inputs[j];
                var g = inputGrads[j];
                if (g is null || !input.RequiresGrad) continue;
                if (g.Shape != input.Shape)
                    throw new InvalidOperationException($"{function.Name} backward produced a gradient of shape {g.Shape} for an input of shape {input.Shape}");
                if (input.IsLeaf && input.Grad is null && OwnsStorage(g, grad, function, inputGrads, j)) input.AdoptGrad(g);
                else if (input.IsLeaf) input.AccumulateGrad(g);
                else if (pending.TryGetValue(input, out var sum)) pending[input] = (Tensor.RawBinary<Kernels.AddOperator>(sum.Gradient, g, "accumulate"), true);
                else pending[input] = (g, OwnsStorage(g, grad, function, inputGrads, j));
            }
        }
    }

    /// <summary>Whether the gradient <paramref name="g"/> that <paramref name="function"/> returned for its input
    /// <paramref name="index"/> is the only tensor on its storage, so that a leaf with no gradient yet can take it as
    /// its gradient as it is, with no zeros and no add (PyTorch steals a gradient the same way). A gradient passed
    /// through (an addition's, a reshape's view of <paramref name="upstream"/>), shared with another input, or an input's
    /// own values is not: a later accumulation into the leaf's gradient would change them too. In a captured step this is
    /// what lets a layer's backward kernel write straight into the parameter's gradient. The same test tells a node
    /// whether it may overwrite the gradient it receives.</summary>
    private static bool OwnsStorage(Tensor g, Tensor upstream, Function function, Tensor?[] gradients, int index)
    {
        var storage = g.Storage;
        if (ReferenceEquals(storage, upstream.Storage)) return false;
        for (int k = 0; k < gradients.Length; k++)
        {
            if (k != index && gradients[k] is { } other && ReferenceEquals(storage, other.Storage)) return false;
        }

        foreach (var input in function.Inputs)
        {
            if (ReferenceEquals(storage, input.Storage)) return false;
        }

        return true;
    }

    /// <summary>Non-leaf tensors reachable from <paramref name="root"/>, each after all tensors it depends on.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int NextInput)>();
        if (root.GradFn is null) return order;
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.GradFn!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = inputs[next];
                if (child.GradFn is not null && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }
}
