using Nabla.Initialization;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>The architecture of an <see cref="Mlp"/>: everything needed to rebuild it, and what saved models store.</summary>
/// <param name="Inputs">D, the input width (n₀).</param>
/// <param name="Hidden">The hidden widths n₁ … n_L; empty gives a linear classifier.</param>
/// <param name="Outputs">C, the number of classes.</param>
/// <param name="Activation">g, the hidden activation (default ReLU).</param>
/// <param name="DType">Float32 for training, Float64 for gradient checks.</param>
/// <param name="Init">The weight initialisation (default: PyTorch's).</param>
public sealed record MlpSpec(int Inputs, IReadOnlyList<int> Hidden, int Outputs, Activation Activation = Activation.Relu, DType DType = DType.Float32, Initializer? Init = null)
{
    /// <summary>Throws with a clear message when a width is not positive.</summary>
    public void Validate()
    {
        if (Inputs < 1) throw new ArgumentException($"input width must be at least 1, not {Inputs}");
        if (Outputs < 1) throw new ArgumentException($"output width must be at least 1, not {Outputs}");
        ArgumentNullException.ThrowIfNull(Hidden);
        foreach (int h in Hidden)
        {
            if (h < 1) throw new ArgumentException($"hidden widths must be at least 1, not {h}");
        }
    }

    /// <summary>The network as an architecture string (<see cref="NN.Architecture"/>): <c>fc128-relu-fc64-relu-fc10</c>
    /// for hidden widths 128 and 64, ReLU and 10 classes; an <see cref="Mlp"/> is built from it.</summary>
    public string Architecture =>
        string.Join('-', Hidden.SelectMany(h => new[] { $"fc{h.ToString(System.Globalization.CultureInfo.InvariantCulture)}", Activation.Word() })
            .Append($"fc{Outputs.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>The number of parameters, Σₖ (nₖ₋₁·nₖ + nₖ), without building the network.</summary>
    public long ParameterCount()
    {
        long total = 0;
        int width = Inputs;
        foreach (int h in Hidden.Append(Outputs))
        {
            total += ((long)width * h) + h;
            width = h;
        }

        return total;
    }

    /// <summary>Records compare the hidden widths by value.</summary>
    public bool Equals(MlpSpec? other) =>
        other is not null && Inputs == other.Inputs && Outputs == other.Outputs && Hidden.SequenceEqual(other.Hidden)
        && Activation == other.Activation && DType == other.DType && Equals(Init, other.Init);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Inputs, Outputs, Hidden.Count, Activation, DType);
}
