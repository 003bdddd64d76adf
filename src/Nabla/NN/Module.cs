using Nabla.NN.Onnx;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>A building block of a network: it holds state (parameters, submodules) and applies a stateless function in
/// <see cref="Forward"/>. Parameters and submodules are registered explicitly, which gives them stable dotted names
/// (<c>layers.0.weight</c>) used as checkpoint keys — no reflection.</summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, ModuleCounter>> _counters = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];

    /// <summary>Whether the module is in training mode (the default) or evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Applies the module to a batch.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Short description for summaries, e.g. <c>Linear(784 → 512)</c>.</summary>
    public virtual string Describe() => GetType().Name;

    /// <summary>What the network was built from, so that it can be saved and built again (<c>ModelStore.Save</c>): an
    /// <see cref="Mlp"/> and a <see cref="Sequential"/> made by <see cref="Architecture.Build"/> know theirs; other modules
    /// have none (save their weights with <c>SafeTensors.Write(path, model.NamedState())</c> and rebuild them in code).</summary>
    public virtual NetworkBlueprint? Blueprint => null;

    /// <summary>Draws the initial value of every parameter of this module and its submodules afresh from one generator
    /// seeded with <paramref name="seed"/>, module by module in registration order: the model's seed, one rule for all
    /// layers. A model's initial weights are then a function of its seed alone, whatever generators its layers were
    /// made with (or none: see each layer's constructor). Layers whose parameters are not drawn (normalisation) go back
    /// to their ones and zeros, and batch norm's running statistics to their start.</summary>
    public void ResetParameters(int seed)
    {
        var random = new Random(seed);
        using var _ = Autograd.GradMode.NoGrad();
        foreach (var (_, module) in NamedModules()) module.ResetOwnParameters(random);
    }

    /// <summary>Sets this module's own parameters (not its submodules') to fresh initial values, drawing what is random
    /// from <paramref name="random"/>, as its constructor does. A module with parameters overrides it; none by default.</summary>
    protected virtual void ResetOwnParameters(Random random)
    {
    }

    /// <summary>Whether <see cref="Forward"/> is its children's Forward applied one after another, in registration
    /// order (a Sequential, an Mlp): diagnostics then look at each child's output on its own.</summary>
    internal virtual bool AppliesChildrenInOrder => false;

    /// <summary>The ONNX nodes computing this module in evaluation mode on <paramref name="x"/> (see
    /// <c>OnnxExporter</c>): each layer maps itself here, beside its own math. A module without a mapping throws.</summary>
    /// <exception cref="NotSupportedException">The module has no ONNX mapping; the message names it and where it is.</exception>
    internal virtual OnnxValue EmitOnnx(OnnxEmitter onnx, string path, OnnxValue x) =>
        throw new NotSupportedException($"ONNX export: {OnnxEmitter.Where(path, this)} ({GetType().FullName}) has no ONNX mapping");

    /// <summary>Registers a parameter under <paramref name="name"/>; it is marked as requiring gradients.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parameter);
        if (name.Contains('.', StringComparison.Ordinal)) throw new ArgumentException($"parameter name '{name}' must not contain '.'");
        if (_parameters.Exists(p => p.Key == name) || _buffers.Exists(b => b.Key == name) || _children.Exists(c => c.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}");
        parameter.RequiresGrad = true;
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a buffer: state that is saved and loaded with the parameters but not trained, such as batch
    /// normalisation's running statistics.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(buffer);
        if (name.Contains('.', StringComparison.Ordinal)) throw new ArgumentException($"buffer name '{name}' must not contain '.'");
        if (_parameters.Exists(p => p.Key == name) || _buffers.Exists(b => b.Key == name) || _children.Exists(c => c.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}");
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    /// <summary>Registers a counter under <paramref name="name"/>: a count this module keeps across steps that is not a
    /// weight, such as the position of its random stream. Checkpoints save it and a resume restores it
    /// (<see cref="NamedCounters"/>, <see cref="LoadCounters"/>), so a resumed run draws what the uninterrupted one drew.</summary>
    protected ModuleCounter RegisterCounter(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.', StringComparison.Ordinal)) throw new ArgumentException($"counter name '{name}' must not contain '.'");
        if (_counters.Exists(c => c.Key == name) || _children.Exists(c => c.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}");
        var counter = new ModuleCounter();
        _counters.Add(new(name, counter));
        return counter;
    }

    /// <summary>Registers a submodule under <paramref name="name"/>.</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(module);
        if (name.Contains('.', StringComparison.Ordinal)) throw new ArgumentException($"module name '{name}' must not contain '.'");
        if (_parameters.Exists(p => p.Key == name) || _children.Exists(c => c.Key == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}");
        _children.Add(new(name, module));
        return module;
    }

    /// <summary>The direct submodules with their names, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children;

    /// <summary>Every parameter of this module and its submodules, depth first, with dotted names.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters()
    {
        foreach (var p in _parameters) yield return p;
        foreach (var (childName, child) in _children)
        {
            foreach (var (name, p) in child.NamedParameters()) yield return new($"{childName}.{name}", p);
        }
    }

    /// <summary>Every buffer of this module and its submodules, depth first, with dotted names.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        foreach (var b in _buffers) yield return b;
        foreach (var (childName, child) in _children)
        {
            foreach (var (name, b) in child.NamedBuffers()) yield return new($"{childName}.{name}", b);
        }
    }

    /// <summary>Every counter of this module and its submodules (<see cref="RegisterCounter"/>), depth first, with
    /// dotted names and their current values.</summary>
    public IEnumerable<KeyValuePair<string, long>> NamedCounters()
    {
        foreach (var (name, counter) in _counters) yield return new(name, counter.Value);
        foreach (var (childName, child) in _children)
        {
            foreach (var (name, value) in child.NamedCounters()) yield return new($"{childName}.{name}", value);
        }
    }

    /// <summary>Sets the counters by name. Every name must be one of <see cref="NamedCounters"/> and every value at least
    /// 0; counters not named keep their values.</summary>
    /// <exception cref="ArgumentException">A name is unknown or a value negative; nothing is changed.</exception>
    public void LoadCounters(IEnumerable<KeyValuePair<string, long>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var own = NamedCounterObjects().ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var list = values.ToList();
        foreach (var (name, value) in list)
        {
            if (!own.ContainsKey(name)) throw new ArgumentException($"unexpected counter '{name}' (the model has {(own.Count == 0 ? "none" : string.Join(", ", own.Keys))})");
            if (value < 0) throw new ArgumentException($"counter '{name}' cannot be {value}");
        }

        foreach (var (name, value) in list) own[name].Value = value;
    }

    private IEnumerable<KeyValuePair<string, ModuleCounter>> NamedCounterObjects()
    {
        foreach (var c in _counters) yield return c;
        foreach (var (childName, child) in _children)
        {
            foreach (var (name, counter) in child.NamedCounterObjects()) yield return new($"{childName}.{name}", counter);
        }
    }

    /// <summary>Names, relative to this module, of state entries that other libraries keep for it and that
    /// <see cref="LoadStateDict"/> accepts and ignores, such as PyTorch's <c>num_batches_tracked</c> in batch
    /// normalisation. None by default.</summary>
    protected virtual IEnumerable<string> IgnoredStateNames => [];

    private IEnumerable<string> NamedIgnoredState()
    {
        foreach (var name in IgnoredStateNames) yield return name;
        foreach (var (childName, child) in _children)
        {
            foreach (var name in child.NamedIgnoredState()) yield return $"{childName}.{name}";
        }
    }

    /// <summary>Adds to <paramref name="into"/> every tensor the model keeps between steps: each parameter, its
    /// gradient, and each buffer, of this module and its submodules. No names are built, so a step can call it.</summary>
    internal void CollectState(List<Tensor> into)
    {
        foreach (var (_, p) in _parameters)
        {
            into.Add(p);
            if (p.Grad is { } g) into.Add(g);
        }

        foreach (var (_, b) in _buffers) into.Add(b);
        foreach (var (_, child) in _children) child.CollectState(into);
    }

    /// <summary>Everything a checkpoint holds: the parameters, then the buffers, by name.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedState() => NamedParameters().Concat(NamedBuffers());

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>The module's own parameters (not its submodules').</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> OwnParameters() => _parameters;

    /// <summary>Moves every parameter and buffer (with any gradient) to <paramref name="device"/> in place: the same
    /// tensor objects, so an optimiser made for them goes on updating them. Returns this module.</summary>
    /// <exception cref="InvalidOperationException">No backend for <paramref name="device"/> has been started (for a GPU,
    /// Nabla.Cuda starts it).</exception>
    public Module To(Device device)
    {
        foreach (var (_, tensor) in NamedState()) tensor.MoveTo(device);
        return this;
    }

    /// <summary>The number of trainable scalars: Σ over parameters of their element counts.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Count);

    /// <summary>Sets the gradients of all parameters to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Puts this module and all submodules in training mode.</summary>
    public Module Train()
    {
        SetMode(true);
        return this;
    }

    /// <summary>Puts this module and all submodules in evaluation mode.</summary>
    public Module Eval()
    {
        SetMode(false);
        return this;
    }

    private void SetMode(bool training)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.SetMode(training);
    }

    /// <summary>Whether this module and every submodule are in evaluation mode, so that inference can run without
    /// changing any mode (which would race with other threads reading it).</summary>
    internal bool IsEvaluatingThroughout()
    {
        if (IsTraining) return false;
        foreach (var (_, child) in _children)
        {
            if (!child.IsEvaluatingThroughout()) return false;
        }

        return true;
    }

    /// <summary>This module and every submodule, depth first in registration order, each with its dotted path
    /// ("" for this one, "layers.3" for a grandchild).</summary>
    internal IEnumerable<(string Path, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (name, child) in _children)
        {
            foreach (var (path, module) in child.NamedModules()) yield return (path.Length == 0 ? name : $"{name}.{path}", module);
        }
    }

    /// <summary>The mode of this module and of every submodule, to be put back by <see cref="RestoreModes"/>.</summary>
    internal List<(Module Module, bool Training)> CaptureModes() => [.. NamedModules().Select(m => (m.Module, m.Module.IsTraining))];

    /// <summary>Whether every module is still in the mode <see cref="CaptureModes"/> recorded (a captured pass recorded
    /// the kernels of those modes: dropout's mask or none, batch statistics or running ones).</summary>
    internal static bool ModesUnchanged(List<(Module Module, bool Training)> modes)
    {
        foreach (var (module, training) in modes)
        {
            if (module.IsTraining != training) return false;
        }

        return true;
    }

    /// <summary>Puts every module back in the mode <see cref="CaptureModes"/> recorded.</summary>
    internal static void RestoreModes(List<(Module Module, bool Training)> modes)
    {
        foreach (var (module, training) in modes) module.IsTraining = training;
    }

    /// <summary>Copies of the parameters and buffers by name (a state dictionary), on the host wherever the model is.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() =>
        NamedState().ToDictionary(p => p.Key, p => p.Value.Device.Type == DeviceType.Cpu ? p.Value.Clone() : p.Value.To(Device.Cpu));

    /// <summary>Copies values into the parameters and buffers by name. Every one must be present with its shape; values
    /// of the other dtype are converted. Entries named by a module's ignored state names (PyTorch's
    /// <c>num_batches_tracked</c> of batch normalisation) may be present and are skipped.</summary>
    /// <exception cref="ArgumentException">A name is missing or unexpected, or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = NamedState().ToDictionary(p => p.Key, p => p.Value);
        var ignored = NamedIgnoredState().ToHashSet(StringComparer.Ordinal);
        foreach (var name in state.Keys)
        {
            if (!own.ContainsKey(name) && !ignored.Contains(name)) throw new ArgumentException($"unexpected parameter '{name}' (the model has {string.Join(", ", own.Keys)})");
        }

        // Everything is checked before anything is copied: a state that does not fit leaves the model as it was.
        foreach (var (name, parameter) in own)
        {
            if (!state.TryGetValue(name, out var value)) throw new ArgumentException($"missing parameter '{name}'");
            if (value.Shape != parameter.Shape)
                throw new ArgumentException($"parameter '{name}' has shape {value.Shape}, the model expects {parameter.Shape}");
        }

        foreach (var (name, parameter) in own)
        {
            var value = state[name];
            parameter.CopyFrom(value.DType == parameter.DType ? value : value.To(parameter.DType));
        }
    }
}
