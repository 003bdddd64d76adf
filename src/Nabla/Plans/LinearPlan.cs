using Nabla.Kernels;
using Nabla.Kernels.Gemm;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>A <see cref="Linear"/> layer, optionally fused with the ReLU that follows it.</summary>
/// <remarks>
/// <code>
/// forward:   a = x Wᵀ + b,  y = a (or ReLU(a) when fused)   one GEMM, bias and ReLU in its epilogue
/// backward:  g ← g ⊙ [y > 0]  when fused                      one masked pass (ReLU'(a) = [a > 0] = [y > 0])
///            ∂L/∂W = gᵀ x    (O, I)                           GEMM reading g transposed in place
///            ∂L/∂b = Σ_rows g (O)
///            ∂L/∂x = g W     (B, I)                           GEMM, skipped for the first layer
/// </code>
/// </remarks>
internal sealed class LinearPlan(Linear layer, int batchSize, bool fuseRelu) : LayerPlan
{
    private readonly Tensor _output = Tensor.Uninitialized([batchSize, layer.OutFeatures], layer.Weight.DType);
    private Tensor? _inputGradient;
    private Tensor? _input;

    public override Tensor Forward(Tensor input)
    {
        _input = input;
        int m = batchSize, k = layer.InFeatures, n = layer.OutFeatures;
        if (input.DType == DType.Float32)
            Gemm.Multiply(input.Buffer<float>(), 0, false, layer.Weight.Buffer<float>(), 0, true, _output.Buffer<float>(), 0, m, k, n, layer.Bias?.Buffer<float>(), fuseRelu);
        else
            Gemm.Multiply(input.Buffer<double>(), 0, false, layer.Weight.Buffer<double>(), 0, true, _output.Buffer<double>(), 0, m, k, n, layer.Bias?.Buffer<double>(), fuseRelu);
        return _output;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (outputGradient.DType == DType.Float32) return Backward<float>(outputGradient, needInputGradient);
        return Backward<double>(outputGradient, needInputGradient);
    }

    private Tensor? Backward<T>(Tensor outputGradient, bool needInputGradient)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int batch = batchSize, inputs = layer.InFeatures, outputs = layer.OutFeatures;
        var g = outputGradient.Buffer<T>();
        if (fuseRelu) BinaryOperator.Apply<ReluBackwardOperator, T>(_output.Buffer<T>(), g, g);

        var x = _input!.Buffer<T>();
        Gemm.Multiply(g, 0, true, x, 0, false, layer.Weight.GradientBuffer().Buffer<T>(), 0, outputs, batch, inputs);
        if (layer.Bias is not null) ActivationKernels.SumRows<T>(g, batch, outputs, layer.Bias.GradientBuffer().Buffer<T>());
        if (!needInputGradient) return null;

        _inputGradient ??= Tensor.Uninitialized([batch, inputs], outputGradient.DType);
        Gemm.Multiply(g, 0, false, layer.Weight.Buffer<T>(), 0, false, _inputGradient.Buffer<T>(), 0, batch, outputs, inputs);
        return _inputGradient;
    }
}
