using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>A node of the autograd graph: one differentiable primitive applied to its inputs.
/// Each primitive's file holds its forward (a static <c>Apply</c>) and its backward, with the derivative above it.</summary>
internal abstract class Function(params Tensor[] inputs)
{
    /// <summary>The tensors the primitive was applied to, in order.</summary>
    public Tensor[] Inputs { get; } = inputs;

    /// <summary>The primitive's name, for messages and graph dumps.</summary>
    public abstract string Name { get; }

    /// <summary>Given ∂L/∂output, returns ∂L/∂input for each input (null where an input needs none).
    /// Runs with gradient recording off.</summary>
    public abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary><see cref="Backward(Tensor)"/>, told whether <paramref name="gradOutput"/> belongs to this node alone
    /// (<paramref name="owned"/>: no other node or leaf holds it), so that the primitive may overwrite it instead of
    /// making a tensor of its own, as a fused ReLU does with its mask.</summary>
    public virtual Tensor?[] Backward(Tensor gradOutput, bool owned) => Backward(gradOutput);

    /// <summary>Whether the output of a primitive on these inputs must be recorded.</summary>
    public static bool Needed(params Tensor[] inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
        {
            if (t.RequiresGrad) return true;
        }

        return false;
    }

    /// <summary>Attaches <paramref name="function"/> to <paramref name="output"/> and returns the output.</summary>
    public static Tensor Record(Tensor output, Function function)
    {
        output.SetGradFn(function);
        return output;
    }
}
