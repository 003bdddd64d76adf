using System.Text.Json.Serialization;

namespace Nabla.Serialization;

/// <summary>The JSON description saved next to a model's weights: its architecture and what it was trained on.</summary>
public sealed record ModelDescription
{
    /// <summary>Always "nabla-model"; identifies the file.</summary>
    [JsonPropertyName("format")]
    public string? Format { get; init; }

    /// <summary>Format version (1).</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; } = 1;

    /// <summary>The architecture kind: "mlp" (inputs, hidden, outputs, activation) or "sequential" (an
    /// <see cref="NN.Architecture"/> description and the example shape it was built for).</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "mlp";

    /// <summary>For "sequential": the layers, as <see cref="NN.Architecture"/> writes them.</summary>
    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    /// <summary>For "sequential": the shape of one example, (C, H, W) or (F); the network takes it as a flat row.</summary>
    [JsonPropertyName("exampleShape")]
    public int[]? ExampleShape { get; init; }

    /// <summary>The values in one input row.</summary>
    [JsonIgnore]
    public int InputFeatures => Kind == "sequential" ? (ExampleShape ?? []).Aggregate(1, (a, b) => a * b) : Inputs;

    /// <summary>D.</summary>
    [JsonPropertyName("inputs")]
    public int Inputs { get; init; }

    /// <summary>The hidden widths.</summary>
    [JsonPropertyName("hidden")]
    public int[] Hidden { get; init; } = [];

    /// <summary>C.</summary>
    [JsonPropertyName("outputs")]
    public int Outputs { get; init; }

    /// <summary>relu, tanh, sigmoid, leaky-relu, elu, silu, softplus or gelu.</summary>
    [JsonPropertyName("activation")]
    public string Activation { get; init; } = "relu";

    /// <summary>float32 or float64.</summary>
    [JsonPropertyName("dtype")]
    public string DType { get; init; } = "float32";

    /// <summary>The loss it was trained with.</summary>
    [JsonPropertyName("loss")]
    public string Loss { get; init; } = "cross-entropy";

    /// <summary>The dataset it was trained on: digits, fashion-mnist, or csv for a CSV file (whose columns are in
    /// <see cref="Features"/>).</summary>
    [JsonPropertyName("dataset")]
    public string? Dataset { get; init; }

    /// <summary>A name per output class.</summary>
    [JsonPropertyName("classNames")]
    public string[]? ClassNames { get; init; }

    /// <summary>For models trained on CSV data: the feature and label columns, and the standardisation to apply to
    /// every input before the network sees it.</summary>
    [JsonPropertyName("features")]
    public Data.FeatureSchema? Features { get; init; }
}
