using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>y = condition ? a : b elementwise (condition non-zero means true), all three broadcast.</summary>
internal sealed class WhereFunction(Tensor mask, Tensor a, Tensor b) : Function(a, b)
{
    public override string Name => "Where";

    public static Tensor Apply(Tensor condition, Tensor a, Tensor b)
    {
        // mask ∈ {0, 1}; y = b + mask·(a − b) would lose precision and mishandle infinities, so select explicitly.
        var mask = Tensor.RawBinary<NotEqualOperator>(condition, Tensor.Scalar(0, condition.DType), "where");
        var inverse = Tensor.RawBinary<SubtractOperator>(Tensor.Scalar(1, mask.DType), mask, "where");
        Tensor.CheckSameDType(mask, a, "where");
        var y = Tensor.RawBinary<AddOperator>(
            Tensor.RawBinary<SelectOperator>(mask, a, "where"),
            Tensor.RawBinary<SelectOperator>(inverse, b, "where"),
            "where");
        return Needed(a, b) ? Record(y, new WhereFunction(mask, a, b)) : y;
    }

    // ∂y/∂a = [condition], ∂y/∂b = [¬condition]
    public override Tensor?[] Backward(Tensor g)
    {
        var (a, b) = (Inputs[0], Inputs[1]);
        var inverse = Tensor.RawBinary<SubtractOperator>(Tensor.Scalar(1, mask.DType), mask, "where");
        return
        [
            Broadcasting.SumToShape(Tensor.RawBinary<SelectOperator>(mask, g, "where"), a.Shape),
            Broadcasting.SumToShape(Tensor.RawBinary<SelectOperator>(inverse, g, "where"), b.Shape),
        ];
    }
}
