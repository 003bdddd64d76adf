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
}

/// <summary>Parsing and construction of <see cref="Activation"/> values.</summary>
public static class ActivationExtensions
{
    /// <summary>A new module for the activation.</summary>
    public static Module CreateModule(this Activation activation) => activation switch
    {
        Activation.Relu => new Relu(),
        Activation.Tanh => new Tanh(),
        Activation.Sigmoid => new Sigmoid(),
        Activation.LeakyRelu => new LeakyRelu(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>The lower-case name used on the command line and in model files.</summary>
    public static string Name(this Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Sigmoid => "sigmoid",
        Activation.LeakyRelu => "leaky-relu",
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };

    /// <summary>Parses relu, tanh, sigmoid or leaky-relu (case-insensitive).</summary>
    public static Activation Parse(string text) => text?.ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "leaky-relu" or "leakyrelu" or "leaky_relu" => Activation.LeakyRelu,
        _ => throw new ArgumentException($"unknown activation '{text}' (expected relu, tanh, sigmoid or leaky-relu)"),
    };
}
