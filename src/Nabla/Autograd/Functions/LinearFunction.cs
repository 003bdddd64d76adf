using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>The fully connected layer in one primitive: a = x Wᵀ + b, with x (B, I), W (O, I), b (O) or none, a (B, O),
/// optionally followed by the ReLU, y = max(0, a). One GEMM computes the product with the bias (and the ReLU) added in
/// its epilogue: the ReLU costs no pass of its own.</summary>
/// <remarks>With the ReLU, backward first masks the upstream gradient, G ← G ⊙ [y &gt; 0] (ReLU'(a) = [a &gt; 0] =
/// [y &gt; 0]), exactly as the ReLU's own backward does, so the fused and unfused layers agree bit for bit.</remarks>
internal sealed class LinearFunction : Function
{
    private readonly bool _hasBias;
    private readonly Tensor? _rectified;   // y, when the ReLU is fused

    private LinearFunction(Tensor[] inputs, bool hasBias, Tensor? rectified)
        : base(inputs) => (_hasBias, _rectified) = (hasBias, rectified);

    public override string Name => "Linear";

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, bool relu = false)
    {
        int rows = x.Shape[0], inputs = weight.Shape[1], outputs = weight.Shape[0];
        var a = Tensor.Uninitialized([rows, outputs], x.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([x, weight, bias], [a], () => ops.Linear(x.Storage, weight.Storage, bias?.Storage, a.Storage, rows, inputs, outputs, relu));
        Tensor[] operands = bias is null ? [x, weight] : [x, weight, bias];
        return Needed(operands) ? Record(a, new LinearFunction(operands, bias is not null, relu ? a : null)) : a;
    }

    // ∂L/∂x = G W (B, I),  ∂L/∂W = Gᵀ x (O, I),  ∂L/∂b = Σ_rows G (O), with G = ∂L/∂a (B, O).
    public override Tensor?[] Backward(Tensor g) => Backward(g, owned: false);

    public override Tensor?[] Backward(Tensor g, bool owned)
    {
        if (_rectified is not null) g = ReluFunction.Mask(_rectified, g, owned);
        var (x, weight) = (Inputs[0], Inputs[1]);
        int rows = x.Shape[0], outputs = weight.Shape[0];
        Tensor? gx = null, gw = null, gb = null;
        if (x.RequiresGrad) gx = Tensor.RawMatMul(g, weight, transposeA: false, transposeB: false);
        if (weight.RequiresGrad) gw = Tensor.RawMatMul(g, x, transposeA: true, transposeB: false);
        if (_hasBias && Inputs[2].RequiresGrad)
        {
            var sums = gb = Tensor.Uninitialized([outputs], g.DType);
            var ops = Backend.Current.Ops;
            Kernel.Launch([g], [sums], () => ops.SumRows(g.Storage, rows, outputs, sums.Storage));
        }

        return _hasBias ? [gx, gw, gb] : [gx, gw];
    }
}
