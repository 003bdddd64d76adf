using Nabla.Autograd.Functions;
using Nabla.Initialization;
using Nabla.NN.Onnx;
using Nabla.Tensors;
using static Nabla.NN.Onnx.OnnxAttribute;

namespace Nabla.NN.Layers;

/// <summary>A lookup table of V vectors of D values: input indices (any shape, whole numbers in [0, V) stored as
/// floats) → their vectors, shape (…, D). Parameter weight (V, D), initialised N(0, 1) as in PyTorch.</summary>
public sealed class Embedding : Module
{
    /// <summary>A table of <paramref name="count"/> vectors of <paramref name="dimension"/> values, drawn from
    /// <paramref name="random"/>, or without one from this thread's default generator (seeded 0); a model's
    /// <see cref="Module.ResetParameters"/> draws it again from the model's seed.</summary>
    public Embedding(int count, int dimension, Random? random = null, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        (Count, Dimension) = (count, dimension);
        Weight = RegisterParameter("weight", Tensor.Normal([count, dimension], 0, 1, random ?? DefaultGenerator.ForThisThread, dtype));
    }

    /// <inheritdoc/>
    protected override void ResetOwnParameters(Random random) => Weight.CopyFrom(Tensor.Normal([Count, Dimension], 0, 1, random, Weight.DType));

    /// <summary>V.</summary>
    public int Count { get; }

    /// <summary>D.</summary>
    public int Dimension { get; }

    /// <summary>W (V, D).</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return EmbeddingFunction.Apply(input, Weight);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Embedding({Count}, {Dimension})";

    /// <summary>ONNX: Nabla takes indices as whole-number floats; Gather needs integers, so they are cast to int64 first.</summary>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x)
    {
        var indices = onnx.Node(path, "Cast", [x.Name], Of("to", OnnxEmitter.Int64DataType));
        var y = onnx.Node(path, "Gather", [onnx.Weight(OnnxEmitter.Join(path, "weight"), Weight), indices], Of("axis", 0L));   // (N, …, D)
        return new(y, [.. x.Shape, Dimension]);
    }
}
