using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>A layer whose kernel can apply the ReLU that follows it in its own epilogue (the GEMM's for
/// <see cref="Layers.Linear"/>, the convolution's for <see cref="Layers.Conv2d"/>), saving a pass over its output and a
/// tensor. <see cref="Sequential"/> uses it for every such layer followed by a <see cref="Activations.Relu"/>. The
/// results are those of the two modules one after the other, bit for bit.</summary>
internal interface IFusesRelu
{
    /// <summary>ReLU(Forward(<paramref name="input"/>)), in one kernel where the input allows.</summary>
    Tensor ForwardWithRelu(Tensor input);
}
