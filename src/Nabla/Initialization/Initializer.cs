using Nabla.Tensors;

namespace Nabla.Initialization;

/// <summary>An initialisation method with its parameter. Draws are taken from a caller's seeded <see cref="Random"/>,
/// so a network is reproducible from its seed.</summary>
/// <param name="Method">The distribution.</param>
/// <param name="Std">σ for <see cref="InitMethod.Normal"/> (default 0.01); ignored otherwise.</param>
public sealed record Initializer(InitMethod Method, double Std = 0.01)
{
    /// <summary>PyTorch's default: U(±1/√fan_in) for weights and biases.</summary>
    public static Initializer Default { get; } = new(InitMethod.Default);

    /// <summary>Whether biases start at zero (every method except <see cref="InitMethod.Default"/>).</summary>
    public bool IsZeroBiasDefault => Method != InitMethod.Default;

    /// <summary>A weight tensor of <paramref name="shape"/> for a layer with the given fans.</summary>
    public Tensor Create(Shape shape, int fanIn, int fanOut, Random random, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Method switch
        {
            InitMethod.Default => Uniform(1.0 / Math.Sqrt(fanIn)),
            InitMethod.XavierUniform => Uniform(Math.Sqrt(6.0 / (fanIn + fanOut))),
            InitMethod.XavierNormal => Tensor.Normal(shape, 0, Math.Sqrt(2.0 / (fanIn + fanOut)), random, dtype),
            InitMethod.HeUniform => Uniform(Math.Sqrt(6.0 / fanIn)),
            InitMethod.HeNormal => Tensor.Normal(shape, 0, Math.Sqrt(2.0 / fanIn), random, dtype),
            InitMethod.Normal => Tensor.Normal(shape, 0, Std, random, dtype),
            InitMethod.Zeros => Tensor.Zeros(shape, dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(Method), Method, "unknown initialisation method"),
        };

        Tensor Uniform(double bound) => Tensor.Uniform(shape, -bound, bound, random, dtype);
    }

    /// <summary>Parses default, xavier-uniform, xavier-normal, he-uniform, he-normal, normal or zeros.</summary>
    public static Initializer Parse(string text) => text?.ToLowerInvariant() switch
    {
        "default" => Default,
        "xavier-uniform" or "glorot-uniform" => new(InitMethod.XavierUniform),
        "xavier-normal" or "glorot-normal" => new(InitMethod.XavierNormal),
        "he-uniform" or "kaiming-uniform" => new(InitMethod.HeUniform),
        "he-normal" or "kaiming-normal" => new(InitMethod.HeNormal),
        "normal" => new(InitMethod.Normal),
        "zeros" => new(InitMethod.Zeros),
        _ => throw new ArgumentException($"unknown initialisation '{text}' (expected default, xavier-uniform, xavier-normal, he-uniform, he-normal, normal or zeros)"),
    };

    /// <summary>The name <see cref="Parse"/> reads.</summary>
    public string Name => Method switch
    {
        InitMethod.Default => "default",
        InitMethod.XavierUniform => "xavier-uniform",
        InitMethod.XavierNormal => "xavier-normal",
        InitMethod.HeUniform => "he-uniform",
        InitMethod.HeNormal => "he-normal",
        InitMethod.Normal => "normal",
        InitMethod.Zeros => "zeros",
        _ => Method.ToString(),
    };
}
