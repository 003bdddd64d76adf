using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Initialization;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.Serialization;

/// <summary>Saves and loads models as a folder holding <c>model.json</c> (the <see cref="ModelDescription"/>) and
/// <c>model.safetensors</c> (the weights, by parameter name). Each file is written atomically. Loading reads data only:
/// nothing in a model file is executed.</summary>
public static class ModelStore
{
    /// <summary>The value of the description's "format" field.</summary>
    public const string FormatName = "nabla-model";

    /// <summary>The description's file name.</summary>
    public const string DescriptionFile = "model.json";

    /// <summary>The weights' file name.</summary>
    public const string WeightsFile = "model.safetensors";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>Saves <paramref name="model"/> into <paramref name="directory"/> (created if needed): its description,
    /// from what the network was built from (<see cref="Module.Blueprint"/>: an architecture string and example shape,
    /// or an Mlp's specification), and its weights.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="model">The network: an <see cref="Mlp"/>, or a <see cref="Sequential"/> made by
    /// <see cref="NN.Architecture.Build"/>.</param>
    /// <param name="loss">The loss it was trained with.</param>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="classNames">A name per class.</param>
    /// <param name="features">For tabular data: the columns and the standardisation (see <see cref="FeatureSchema"/>).</param>
    /// <exception cref="ArgumentException">The network does not know what it was built from, so a saved description could
    /// not build it again; nothing is written.</exception>
    public static void Save(string directory, Module model, string loss = "cross-entropy", string? dataset = null, IReadOnlyList<string>? classNames = null, FeatureSchema? features = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var blueprint = model.Blueprint ?? throw new ArgumentException(
            $"{model.Describe()} does not know what it was built from, so model.json could not build it again: save an Mlp or a network of Architecture.Build, or save the weights alone with SafeTensors.Write(path, model.NamedState())",
            nameof(model));
        var description = blueprint.Mlp is { } spec
            ? new ModelDescription
            {
                Format = FormatName,
                Inputs = spec.Inputs,
                Hidden = [.. spec.Hidden],
                Outputs = spec.Outputs,
                Activation = spec.Activation.Name(),
                DType = spec.DType.Name(),
            }
            : new ModelDescription
            {
                Format = FormatName,
                Kind = "sequential",
                Architecture = blueprint.Architecture,
                ExampleShape = [.. blueprint.ExampleShape!],
                DType = model.Parameters().FirstOrDefault()?.DType.Name() ?? "float32",
            };
        Write(directory, model, description with { Loss = loss, Dataset = dataset, ClassNames = classNames?.ToArray(), Features = features });
    }

    private static void Write(string directory, Module model, ModelDescription description)
    {
        Directory.CreateDirectory(directory);
        SafeTensors.Write(Path.Combine(directory, WeightsFile), model.NamedState(), new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.Write(Path.Combine(directory, DescriptionFile), s => JsonSerializer.Serialize(s, description, JsonOptions));
    }

    /// <summary>Loads a model from a folder written by <see cref="Save"/> (or the path of its model.json): an
    /// <see cref="Mlp"/> or a <see cref="Sequential"/>, as its description says.</summary>
    /// <remarks>Both files are untrusted data; nothing in them is executed. The description is checked completely
    /// before any weight is allocated: known format, version, kind, dtype, activation and loss; positive sizes; an
    /// architecture that parses and fits its example shape; at most <see cref="Architecture.MaxStateElements"/> values in
    /// all and <see cref="Architecture.MaxExampleElements"/> per example; one class name per output; a feature schema
    /// with one name, μ and σ &gt; 0 (a normal number, not subnormal) per input; no key twice in one object; a UTF-8 BOM
    /// is allowed. Then the weights file is read (its tensors are bounded by its length),
    /// and the network is built only if the file holds at least as many values as the description needs, so that a
    /// description cannot make the loader allocate more than the weights file really holds.</remarks>
    /// <exception cref="DataFormatException">A file is not a Nabla model, or its weights do not fit its description
    /// (the message names the file and the problem).</exception>
    /// <exception cref="FileNotFoundException">The folder or a file is missing.</exception>
    public static (Module Model, ModelDescription Description) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        string descriptionPath = Directory.Exists(path) ? Path.Combine(path, DescriptionFile) : path;
        if (!File.Exists(descriptionPath)) throw new FileNotFoundException($"{descriptionPath}: model description not found", descriptionPath);
        var weightsPath = Path.Combine(directory, WeightsFile);
        return Load(File.ReadAllBytes(descriptionPath), descriptionPath, () => SafeTensors.Read(weightsPath).Tensors, weightsPath);
    }

    /// <summary>Loads a model from the bytes of its description (model.json) and of its weights (model.safetensors),
    /// checked as <see cref="Load(string)"/> checks the files; the names stand for the files in error messages.</summary>
    /// <exception cref="DataFormatException">The bytes are not a Nabla model, or the weights do not fit the description.</exception>
    public static (Module Model, ModelDescription Description) Load(ReadOnlyMemory<byte> description, string descriptionName, ReadOnlyMemory<byte> weights, string weightsName)
    {
        ArgumentNullException.ThrowIfNull(descriptionName);
        ArgumentNullException.ThrowIfNull(weightsName);
        return Load(description, descriptionName, () => SafeTensors.Read(weights, weightsName).Tensors, weightsName);
    }

    private static (Module Model, ModelDescription Description) Load(ReadOnlyMemory<byte> bytes, string descriptionPath, Func<IReadOnlyDictionary<string, Tensor>> readWeights, string weightsPath)
    {
        var description = ReadDescription(bytes.Span, descriptionPath);
        var (dtype, state) = Check(descriptionPath, description);
        var tensors = readWeights();
        long held = tensors.Values.Sum(t => (long)t.Count);
        if (held < state)
            throw new DataFormatException($"{weightsPath}: the weights hold {held} values, but {descriptionPath} describes a network of {state}");

        Module model;
        try
        {
            model = description.Kind == "sequential"
                ? NN.Architecture.Build(description.Architecture!, description.ExampleShape!, new Random(0), flatInput: true, dtype).Model
                : new Mlp(MlpSpecOf(description, dtype));
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{descriptionPath}: invalid architecture ({e.Message})", e);
        }

        try
        {
            model.LoadStateDict(tensors);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{weightsPath}: weights do not fit {descriptionPath} ({e.Message})", e);
        }

        if (model.Parameters().Any(p => p.HasNonFinite())) throw new DataFormatException($"{weightsPath}: weights contain NaN or infinite values");
        return (model, description);
    }

    private static MlpSpec MlpSpecOf(ModelDescription description, DType dtype) =>
        new(description.Inputs, description.Hidden, description.Outputs, ActivationExtensions.Parse(description.Activation), dtype, Initializer.Default);

    /// <summary>Checks everything the description says, allocating no weight; returns the dtype and the values the
    /// network's state holds.</summary>
    private static (DType DType, long State) Check(string path, ModelDescription description)
    {
        if (description.DType is null) throw new DataFormatException($"{path}: the model has no \"dtype\"");
        if (description.Loss is null) throw new DataFormatException($"{path}: the model has no \"loss\"");
        DType dtype;
        long state;
        int outputs;
        try
        {
            dtype = DTypeExtensions.Parse(description.DType);
            _ = Losses.Loss.Parse(description.Loss);
            if (description.Kind == "sequential")
            {
                if (description.Architecture is null || description.ExampleShape is null)
                    throw new ArgumentException("a sequential model needs \"architecture\" and \"exampleShape\"");
                (int[] shape, state) = NN.Architecture.Check(description.Architecture, description.ExampleShape);
                outputs = shape is [int c] ? c : -1;
            }
            else
            {
                if (description.Hidden is null) throw new ArgumentException("\"hidden\" must be a list of widths");
                var spec = MlpSpecOf(description, dtype);
                spec.Validate();
                if (description.Inputs > NN.Architecture.MaxExampleElements)
                    throw new ArgumentException($"{description.Inputs} inputs are more than {NN.Architecture.MaxExampleElements}");

                // Σ (n_{k−1}·n_k + n_k), checked after each layer: every width is below 2³¹, so no term overflows a long.
                state = 0;
                int width = description.Inputs;
                foreach (int h in description.Hidden.Append(description.Outputs))
                {
                    state += ((long)width * h) + h;
                    if (state > NN.Architecture.MaxStateElements)
                        throw new ArgumentException($"the network would hold more than {NN.Architecture.MaxStateElements} parameters");
                    width = h;
                }

                outputs = description.Outputs;
            }
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException($"{path}: invalid architecture ({e.Message})", e);
        }

        if (description.ClassNames is { } names)
        {
            if (names.Any(n => n is null)) throw new DataFormatException($"{path}: a class name is null");
            if (names.FirstOrDefault(n => n.Length > Dataset.MaxClassNameLength) is { } longName)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{path}: class name '{SafeText.Quote(longName)}' is longer than the {Dataset.MaxClassNameLength} characters a class name may have"));
            if (outputs > 0 && names.Length != outputs)
                throw new DataFormatException($"{path}: {names.Length} class names for a network of {outputs} outputs");
        }

        CheckFeatures(path, description);
        return (dtype, state);
    }

    /// <summary>A saved feature schema must fit the network: one name, one μ and one σ &gt; 0 per input, all finite.</summary>
    private static void CheckFeatures(string path, ModelDescription description)
    {
        if (description.Features is not { } features) return;
        int inputs = description.InputFeatures;
        if (features.FeatureNames is null || features.FeatureNames.Length != inputs || features.FeatureNames.Any(n => n is null) || features.LabelColumn is null)
            throw new DataFormatException($"{path}: \"features\" must name the label column and {inputs} feature columns");
        // σ must be a normal number > 0: a subnormal σ passes "> 0" but divides values into infinities, which would
        // then be blamed on the data file.
        if (features.Standardization is { } z
            && (z.Mean is null || z.Scale is null || z.Mean.Length != inputs || z.Scale.Length != inputs
                || !z.Mean.All(double.IsFinite) || !z.Scale.All(v => double.IsNormal(v) && v > 0)))
            throw new DataFormatException($"{path}: \"standardization\" must hold {inputs} finite means and {inputs} finite scales > 0 (normal numbers, not subnormal)");
        if (features.LabelIndex is { } at && (at < 0 || at > inputs))
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture, $"{path}: \"labelIndex\" is {at}, not a column of a {inputs + 1}-column file"));
    }

    private static ModelDescription ReadDescription(ReadOnlySpan<byte> json, string path)
    {
        // A BOM is what editors on Windows write at the start of UTF-8 text; CSV files are read with one too.
        if (json.StartsWith(Utf8Bom)) json = json[Utf8Bom.Length..];
        ModelDescription? description;
        try
        {
            ThrowIfDuplicateKey(json, path);
            description = JsonSerializer.Deserialize<ModelDescription>(json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{path}: not a Nabla model (invalid JSON: {e.Message})", e);
        }

        if (description is null || description.Format != FormatName)
            throw new DataFormatException($"{path}: not a Nabla model (no \"format\": \"{FormatName}\")");
        if (description.Version != 1) throw new DataFormatException($"{path}: model format version {description.Version} is not supported (1)");
        if (description.Kind is not ("mlp" or "sequential")) throw new DataFormatException($"{path}: model kind '{description.Kind}' is not supported (mlp or sequential)");
        return description;
    }

    /// <summary>Refuses an object that holds a key twice, at any depth: the deserialiser would keep the last value
    /// silently, so a file could show one value to a reader and give the model another (safetensors headers are
    /// refused for the same reason).</summary>
    /// <exception cref="JsonException">The JSON is malformed (reported like any other parse error).</exception>
    private static void ThrowIfDuplicateKey(ReadOnlySpan<byte> json, string path)
    {
        var reader = new Utf8JsonReader(json);
        var keys = new Stack<HashSet<string>>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    keys.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.EndObject:
                    keys.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    string key = KeyOf(ref reader, path);
                    if (!keys.Peek().Add(key)) throw new DataFormatException($"{path}: not a Nabla model (the key '{SafeText.Quote(key)}' appears twice in one object)");
                    break;
            }
        }
    }

    // The reader checks UTF-8 only when a string is decoded, and then throws InvalidOperationException (found by the
    // model-file fuzz target): a key that is not UTF-8 is the file's fault, reported as such.
    private static string KeyOf(ref Utf8JsonReader reader, string path)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new DataFormatException($"{path}: not a Nabla model (a key is not valid UTF-8)", e);
        }
    }
}
