using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>The output activation g(a)ᵢ = e^{aᵢ} / Σⱼ e^{aⱼ} along the last axis: class probabilities.</summary>
/// <remarks>Networks trained with <see cref="Losses.CrossEntropyLoss"/> output logits and leave the softmax to the loss,
/// which computes it stably together with the log; use this module for prediction.</remarks>
public sealed class Softmax : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Softmax(-1);
    }
}
