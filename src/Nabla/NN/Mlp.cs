using Nabla.NN.Activations;
using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>The lecture's network with L hidden layers:
/// a⁽ᵏ⁾ = b⁽ᵏ⁾ + W⁽ᵏ⁾h⁽ᵏ⁻¹⁾, h⁽ᵏ⁾ = g(a⁽ᵏ⁾) for k = 1…L, h⁽⁰⁾ = x, and the output pre-activation a⁽ᴸ⁺¹⁾.</summary>
/// <remarks>
/// <see cref="Forward"/> returns the logits a⁽ᴸ⁺¹⁾ (B, C); the output activation f(x) = softmax(a⁽ᴸ⁺¹⁾) is applied by
/// <see cref="PredictProbabilities"/> and, fused with the log for stability, by the cross-entropy loss.
/// Modules are <c>layers.0</c> (Linear), <c>layers.1</c> (g), …, so parameter names are <c>layers.0.weight</c> etc.,
/// those of a PyTorch module holding <c>self.layers = nn.Sequential(nn.Linear(D, H₁), nn.ReLU(), …, nn.Linear(H_L, C))</c>.
/// The parameter count is Σₖ (nₖ₋₁·nₖ + nₖ) over the L + 1 linear layers, with n₀ the inputs and n_{L+1} the classes.
/// </remarks>
public sealed class Mlp : Module
{
    /// <summary>Builds the network described by <paramref name="spec"/>, initialised from <paramref name="seed"/>.</summary>
    public Mlp(MlpSpec spec, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        // A preset of the one architecture description: fc128-relu-…-fc10 for rows of D features.
        var (layers, _) = NN.Architecture.Build(spec.Architecture, [spec.Inputs], new Random(seed), flatInput: false, spec.DType, spec.Init);
        Layers = RegisterModule("layers", layers);
    }

    /// <summary>The architecture.</summary>
    public MlpSpec Spec { get; }

    /// <summary>Linear, activation, Linear, …, Linear.</summary>
    public Sequential Layers { get; }

    /// <summary>x (B, D) → logits a⁽ᴸ⁺¹⁾ (B, C).</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape, input.DType);
        return Layers.Forward(input);
    }

    /// <summary>Throws, naming the network and the shape, unless the input is (B, D) in the network's dtype.</summary>
    internal void CheckInput(Shape shape, DType dtype)
    {
        if (shape.Rank != 2 || shape[1] != Spec.Inputs)
            throw new ArgumentException($"{Describe()} expects input (B, {Spec.Inputs}), got shape {shape}");
        if (dtype != Spec.DType)
            throw new ArgumentException($"{Describe()} is {Spec.DType.Name()}, the input {shape} is {dtype.Name()}");
    }

    /// <summary>f(x) = softmax(a⁽ᴸ⁺¹⁾): class probabilities (B, C), computed without recording gradients.</summary>
    public Tensor PredictProbabilities(Tensor input)
    {
        using var _ = Autograd.GradMode.NoGrad();
        return Forward(input).Softmax(-1);
    }

    /// <summary>The most probable class of each row.</summary>
    public int[] Predict(Tensor input)
    {
        using var _ = Autograd.GradMode.NoGrad();
        return Forward(input).ArgMax(-1);
    }

    /// <summary>The layer table for one input row.</summary>
    public ModelSummary Summary() => ModelSummary.Of(this, [1, Spec.Inputs], Spec.DType);

    /// <inheritdoc/>
    public override string Describe() => $"Mlp({Spec.Inputs} → {string.Join(" → ", Spec.Hidden.Append(Spec.Outputs))}, {Spec.Activation.Name()})";

    /// <inheritdoc/>
    public override NetworkBlueprint Blueprint => NetworkBlueprint.Of(Spec);

    /// <inheritdoc/>
    internal override bool AppliesChildrenInOrder => true;

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        OnnxEmitter.Require(x.Shape.Length == 1 && x.Shape[0] == Spec.Inputs, path, this, $"({Spec.Inputs})", x.Shape);
        return onnx.EmitChildrenInOrder(this, path, x);
    }
}
