namespace Nabla.Initialization;

/// <summary>How initial weights are drawn. fan_in and fan_out are a layer's input and output widths.</summary>
public enum InitMethod
{
    /// <summary>PyTorch's default for linear layers: U(−1/√fan_in, 1/√fan_in), biases likewise.</summary>
    Default,

    /// <summary>Glorot and Bengio (2010): U(−a, a) with a = √(6 / (fan_in + fan_out)).</summary>
    XavierUniform,

    /// <summary>Glorot and Bengio (2010): N(0, 2 / (fan_in + fan_out)).</summary>
    XavierNormal,

    /// <summary>He et al. (2015), for ReLU: U(−a, a) with a = √(6 / fan_in).</summary>
    HeUniform,

    /// <summary>He et al. (2015), for ReLU: N(0, 2 / fan_in).</summary>
    HeNormal,

    /// <summary>N(0, σ²) with a fixed σ.</summary>
    Normal,

    /// <summary>All zeros (a network initialised so cannot break symmetry; here for teaching).</summary>
    Zeros,
}
