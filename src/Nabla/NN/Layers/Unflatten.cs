using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN.Layers;

/// <summary>Gives each example a shape: (B, F) → (B, …shape), with F = ∏ shape. For feeding flat images to
/// convolutions: <c>new Unflatten(1, 28, 28)</c> turns Fashion-MNIST's 784 pixels into one 28×28 channel.
/// A view: nothing is copied. No parameters.</summary>
public sealed class Unflatten : Module
{
    private readonly int[] _shape;

    /// <summary>The shape of one example after the layer.</summary>
    public Unflatten(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d < 1)) throw new ArgumentException($"Unflatten: the shape ({string.Join(", ", shape)}) must have positive sizes", nameof(shape));
        _shape = [.. shape];
    }

    /// <summary>The shape of one example.</summary>
    public IReadOnlyList<int> ExampleShape => _shape;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Shape);
        return input.Reshape(new Shape([input.Shape[0], .. _shape]));
    }

    /// <summary>Throws, naming the layer and the shape, unless the input is (B, F) with F = ∏ of the example shape.</summary>
    internal void CheckInput(Shape shape)
    {
        long features = _shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Rank != 2 || shape[1] != features)
            throw new ArgumentException($"{Describe()} expects input (B, {features}), got shape {shape}");
    }

    /// <inheritdoc/>
    public override string Describe() => $"Unflatten({string.Join(", ", _shape)})";

    /// <summary>ONNX: Reshape to (N, …shape); the 0 copies the batch size from the input.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        int features = ExampleShape.Aggregate(1, (a, b) => a * b);
        OnnxEmitter.Require(x.Shape.Length == 1 && x.Shape[0] == features, path, this, $"({features})", x.Shape);
        var target = onnx.Int64s(OnnxEmitter.Join(path, "shape"), [0, .. ExampleShape.Select(d => (long)d)]);
        return new(onnx.Node(path, "Reshape", [x.Name, target]), [.. ExampleShape]);
    }
}
