using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

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

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => new(onnx.Node(path, "Softmax", [x.Name], Of("axis", -1L)), x.Shape);
}
