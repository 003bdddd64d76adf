using System.Text.Json.Serialization;

namespace Nabla.Data;

/// <summary>How rows of a table become a model's input, saved with models trained on CSV data: which columns are the
/// features (in order), which is the label, and the standardisation fitted on the training split.</summary>
/// <param name="FeatureNames">The feature columns, in the order the model takes them.</param>
/// <param name="LabelColumn">The label column.</param>
/// <param name="Standardization">μ and σ per feature, or null when inputs are used as they are.</param>
/// <param name="LabelIndex">Where the label column was in the training file (0-based), so that a file without a header
/// in the same layout is read by position; null for models saved before it was recorded, whose files without a header
/// must then hold the features alone.</param>
public sealed record FeatureSchema(
    [property: JsonPropertyName("names")] string[] FeatureNames,
    [property: JsonPropertyName("labelColumn")] string LabelColumn,
    [property: JsonPropertyName("standardization")] Standardization? Standardization,
    [property: JsonPropertyName("labelIndex")] int? LabelIndex = null);
