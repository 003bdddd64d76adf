using System.Text.Json;
using Nabla.Data;

namespace Nabla.Serialization.Onnx;

/// <summary>What an exported graph carries besides the network: the preprocessing its inputs need, so that the graph
/// takes the same raw rows <c>nabla predict</c> takes, and metadata (ONNX <c>metadata_props</c>) naming the inputs and
/// outputs.</summary>
/// <param name="Standardization">When set, the graph starts with x′ = (x − μ) / σ per feature, computed in float64
/// exactly as <see cref="Data.Standardization.Apply(Tensors.Tensor)"/> computes it (Cast to double, Sub, Div, Cast back to
/// float), so ONNX Runtime gives the network bit-for-bit the inputs Nabla gives it.</param>
/// <param name="Metadata">Key–value pairs written as the model's <c>metadata_props</c>, in key order.</param>
public sealed record OnnxExportOptions(Standardization? Standardization = null, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Metadata key: the input's features, in order, as a JSON array of strings.</summary>
    public const string FeatureNamesKey = "feature_names";

    /// <summary>Metadata key: the class of each output, in order, as a JSON array of strings.</summary>
    public const string ClassNamesKey = "class_names";

    /// <summary>Metadata key: the network, as <c>nabla summary</c> names it (an architecture description or the MLP's layers).</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>Metadata key: the CSV column the classes came from.</summary>
    public const string LabelColumnKey = "label_column";

    /// <summary>Metadata key: the dataset the model was trained on (digits, fashion-mnist or csv).</summary>
    public const string DatasetKey = "dataset";

    /// <summary>Metadata key: what the graph does to its input before the network, in words.</summary>
    public const string PreprocessingKey = "preprocessing";

    /// <summary>The options that make an export of a saved model compute what <c>nabla predict</c> computes: its
    /// standardisation (for a model trained on CSV data) in the graph, and its feature names, class names, architecture
    /// and dataset in the metadata.</summary>
    /// <param name="description">The saved model's description (<see cref="ModelStore.Load(string)"/>).</param>
    /// <param name="architecture">The network's description, as printed for the user.</param>
    public static OnnxExportOptions For(ModelDescription description, string architecture)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(architecture);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ArchitectureKey] = architecture };
        if (description.Dataset is { } dataset) metadata[DatasetKey] = dataset;
        if (description.ClassNames is { } classes) metadata[ClassNamesKey] = JsonSerializer.Serialize(classes);
        var schema = description.Features;
        if (schema is not null)
        {
            metadata[FeatureNamesKey] = JsonSerializer.Serialize(schema.FeatureNames);
            metadata[LabelColumnKey] = schema.LabelColumn;
        }

        metadata[PreprocessingKey] = schema?.Standardization is null
            ? "none: the input is what the network takes"
            : "(x - mean) / scale per feature, in float64, before the network: feed the raw feature values";
        return new OnnxExportOptions(schema?.Standardization, metadata);
    }
}
