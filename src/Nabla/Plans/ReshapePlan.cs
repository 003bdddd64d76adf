using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>Flatten or Unflatten: each example gets another shape of the same size. Forward and backward are views of
/// the same buffers; the views are made once per input tensor and reused, so a step allocates nothing.</summary>
internal sealed class ReshapePlan(Shape outputShape) : LayerPlan
{
    private Tensor? _input, _output, _outputGradient, _inputGradient;

    public override Tensor Forward(Tensor input)
    {
        if (!ReferenceEquals(input, _input)) (_input, _output) = (input, input.View(outputShape));
        return _output!;
    }

    public override Tensor? Backward(Tensor outputGradient, bool needInputGradient)
    {
        if (!needInputGradient) return null;
        if (!ReferenceEquals(outputGradient, _outputGradient))
            (_outputGradient, _inputGradient) = (outputGradient, outputGradient.View(_input!.Shape));
        return _inputGradient;
    }
}
