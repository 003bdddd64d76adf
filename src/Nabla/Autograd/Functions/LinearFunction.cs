using Nabla.Backends;
using Nabla.Engine;
using Nabla.Tensors;

namespace Nabla.Autograd.Functions;

/// <summary>The fully connected layer in one primitive: a = x Wᵀ + b, with x (B, I), W (O, I), b (O) or none, a (B, O).
/// One GEMM computes the product with the bias added in its epilogue. A ReLU that follows it joins that epilogue too
/// when a capture's fusion pass finds it (<see cref="KernelFusion"/>): the kernel offers the form.</summary>
internal sealed class LinearFunction : Function
{
    private readonly bool _hasBias;

    private LinearFunction(Tensor[] inputs, bool hasBias)
        : base(inputs) => _hasBias = hasBias;

    public override string Name => "Linear";

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        int rows = x.Shape[0], inputs = weight.Shape[1], outputs = weight.Shape[0];
        var a = Tensor.Uninitialized([rows, outputs], x.DType);
        var ops = Backend.Current.Ops;
        Kernel.Launch([x, weight, bias], [a], () => ops.Linear(x.Storage, weight.Storage, bias?.Storage, a.Storage, rows, inputs, outputs, relu: false),
            Kernel.Capturing ? new ReluEpilogueForm(a.Storage, y => () => ops.Linear(x.Storage, weight.Storage, bias?.Storage, y, rows, inputs, outputs, relu: true)) : null);
        Tensor[] operands = bias is null ? [x, weight] : [x, weight, bias];
        return Needed(operands) ? Record(a, new LinearFunction(operands, bias is not null)) : a;
    }

    // ∂L/∂x = G W (B, I),  ∂L/∂W = Gᵀ x (O, I),  ∂L/∂b = Σ_rows G (O), with G = ∂L/∂a (B, O).
    public override Tensor?[] Backward(Tensor g)
    {
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
