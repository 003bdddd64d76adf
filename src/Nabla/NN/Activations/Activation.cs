namespace Nabla.NN.Activations;

/// <summary>The hidden-layer activations an <see cref="Mlp"/> can use.</summary>
public enum Activation
{
    /// <summary>max(0, a).</summary>
    Relu,

    /// <summary>tanh a.</summary>
    Tanh,

    /// <summary>1 / (1 + e⁻ᵃ).</summary>
    Sigmoid,

    /// <summary>a for a &gt; 0, 0.01·a otherwise.</summary>
    LeakyRelu,

    /// <summary>a for a &gt; 0, eᵃ − 1 otherwise.</summary>
    Elu,

    /// <summary>a·σ(a).</summary>
    Silu,

    /// <summary>log(1 + eᵃ).</summary>
    Softplus,

    /// <summary>a·Φ(a).</summary>
    Gelu,
}

/// <summary>Parsing and construction of <see cref="Activation"/> values.</summary>
public static class ActivationExtensions
{
    /// <summary>A new module for the activation: the layer its architecture word (<see cref="Word"/>) builds, so that
    /// each activation is known in its own class only.</summary>
    public static Module CreateModule(this Activation activation) =>
        Architecture.Build(activation.Word(), [1], new Random(0), flatInput: false).Model.Modules[0];

    /// <summary>The activation's word in an architecture string (<see cref="Architecture"/>): its name without the
    /// hyphen, e.g. <c>leakyrelu</c>.</summary>
    public static string Word(this Activation activation) => activation.Name().Replace("-", "", StringComparison.Ordinal);

    /// <summary>The lower-case name used on the command line and in model files.</summary>
    public static string Name(this Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Sigmoid => "sigmoid",
        Activation.LeakyRelu => "leaky-relu",
        Activation.Elu => "elu",
        Activation.Silu => "silu",
        Activation.Softplus => "softplus",
        Activation.Gelu => "gelu",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Parses relu, tanh, sigmoid, leaky-relu, elu, silu (swish), softplus or gelu (case-insensitive).</summary>
    public static Activation Parse(string text) => text?.ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "leaky-relu" or "leakyrelu" or "leaky_relu" => Activation.LeakyRelu,
        "elu" => Activation.Elu,
        "silu" or "swish" => Activation.Silu,
        "softplus" => Activation.Softplus,
        "gelu" => Activation.Gelu,
        _ => throw new ArgumentException($"unknown activation '{text}' (expected relu, tanh, sigmoid, leaky-relu, elu, silu, softplus or gelu)"),
    };
}
