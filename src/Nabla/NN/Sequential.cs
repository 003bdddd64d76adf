using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Applies its modules one after another: y = fₙ(… f₂(f₁(x))). Modules are named "0", "1", ….</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _modules = [];
    private NetworkBlueprint? _blueprint;

    /// <summary>A sequence of the given modules.</summary>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<Module> Modules => _modules;

    /// <summary>Appends a module (the sequence then no longer is what an architecture string described).</summary>
    public void Add(Module module)
    {
        _blueprint = null;
        RegisterModule(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Add(module);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        for (int i = 0; i < _modules.Count; i++) x = _modules[i].Forward(x);

        return x;
    }

    /// <inheritdoc/>
    public override NetworkBlueprint? Blueprint => _blueprint;

    /// <summary>Records that this sequence is what <paramref name="blueprint"/> builds (<see cref="Architecture.Build"/>).</summary>
    internal void BuiltFrom(NetworkBlueprint blueprint) => _blueprint = blueprint;

    /// <inheritdoc/>
    internal override bool AppliesChildrenInOrder => true;

    /// <inheritdoc/>
    internal override OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) => onnx.EmitChildrenInOrder(this, path, x);
}
