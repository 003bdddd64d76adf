using Nabla.Tensors;

namespace Nabla.NN.Onnx;

/// <summary>What a layer writes its ONNX nodes with (<see cref="Module.EmitOnnx"/>): each layer maps itself, in its own
/// file, onto operators of opset 17, and this graph builder (written out by the exporter) names the values and keeps the
/// weights. The shape of one example is followed through every layer, so that a misfit is reported at export, naming
/// the layer, rather than by the runtime that loads the file.</summary>
internal abstract class OnnxEmitter
{
    /// <summary>ONNX's TensorProto.DataType of int64, the target of a Cast to indices.</summary>
    public const long Int64DataType = 7;

    /// <summary>Adds a weight, as float32, under <paramref name="name"/> (suffixed if taken) and returns the name given.</summary>
    public abstract string Weight(string name, Tensor tensor);

    /// <summary>Adds a float32 scalar constant and returns its name.</summary>
    public abstract string Scalar(string name, float value);

    /// <summary>Adds a 1-D int64 constant and returns its name.</summary>
    public abstract string Int64s(string name, params long[] values);

    /// <summary>Adds a node <c>{prefix}/{opType}</c> reading <paramref name="inputs"/>, and returns the name of its output.</summary>
    public abstract string Node(string prefix, string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes);

    /// <summary>The nodes of <paramref name="module"/>, at dotted <paramref name="path"/>, applied to <paramref name="x"/>.</summary>
    public OnnxValue Emit(Module module, string path, OnnxValue x) => module.EmitOnnx(this, path, x);

    /// <summary>The children of <paramref name="module"/> applied one after another, as a Sequential's Forward does.</summary>
    public OnnxValue EmitChildrenInOrder(Module module, string path, OnnxValue x)
    {
        foreach (var (name, child) in module.NamedChildren()) x = Emit(child, Join(path, name), x);
        return x;
    }

    /// <summary>Throws an ArgumentException naming the layer and both shapes unless <paramref name="condition"/>.</summary>
    public static void Require(bool condition, string path, Module module, string expected, int[] shape)
    {
        if (!condition)
            throw new ArgumentException($"ONNX export: {Where(path, module)} expects examples of shape {expected}, but its input is ({string.Join(", ", shape)})");
    }

    /// <summary>Requires (C, H, W) examples.</summary>
    public static void RequireImage(string path, Module module, int[] shape) => Require(shape.Length == 3, path, module, "(C, H, W) images", shape);

    /// <summary>The layer in words, for messages: "layer '3' Conv2d(…)", or the description alone at the top.</summary>
    public static string Where(string path, Module module) => path.Length == 0 ? module.Describe() : $"layer '{path}' {module.Describe()}";

    /// <summary>A state-dict name under <paramref name="path"/>.</summary>
    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
