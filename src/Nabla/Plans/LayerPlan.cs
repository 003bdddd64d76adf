using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>One layer's forward and backward pass for a fixed batch size, on buffers allocated once when the plan is
/// made: the pieces of a <see cref="TrainingPlan"/>.</summary>
/// <remarks>
/// Autograd builds a new graph, new tensors and new gradient buffers on every step. A network whose shape does not
/// change from step to step (a <c>Sequential</c> of layers, trained on batches of one size) can instead be planned
/// once: each layer knows its backward pass, keeps its output buffer, and writes its parameters' gradients straight
/// into their <c>Grad</c> tensors. The arithmetic is the same as autograd's (tests compare the two in float64).
/// </remarks>
internal abstract class LayerPlan
{
    /// <summary>Computes the layer's output for <paramref name="input"/> (B, …) into its own buffer and returns it.
    /// The input must stay unchanged until <see cref="Backward"/>, which may read it.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>From ∂L/∂output (which the layer may overwrite), writes ∂L/∂θ into each parameter's <c>Grad</c>
    /// (replacing what was there) and returns ∂L/∂input, or null when <paramref name="needInputGradient"/> is false.</summary>
    public abstract Tensor? Backward(Tensor outputGradient, bool needInputGradient);
}
