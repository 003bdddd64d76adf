using System.Diagnostics.CodeAnalysis;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>Submodules registered under names of the user's choosing, as PyTorch's <c>nn.ModuleDict</c>: for a model that
/// picks among several (one head per task, say) in its own <see cref="Module.Forward"/>. Their parameters are named
/// <c>heads.NAME.weight</c>; the order is the order they were added in.</summary>
public sealed class ModuleDict : Module, IReadOnlyDictionary<string, Module>
{
    private readonly Dictionary<string, Module> _modules = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>A dictionary holding <paramref name="modules"/>, in order.</summary>
    /// <exception cref="ArgumentException">A name is empty, holds a '.', or comes twice.</exception>
    public ModuleDict(IEnumerable<KeyValuePair<string, Module>>? modules = null)
    {
        foreach (var (name, module) in modules ?? []) Add(name, module);
    }

    /// <summary>Adds <paramref name="module"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, holds a '.', or is taken.</exception>
    public void Add(string name, Module module)
    {
        RegisterModule(name, module);   // checks the name and refuses one taken
        _modules.Add(name, module);
        _order.Add(name);
    }

    /// <inheritdoc/>
    public Module this[string key] => _modules.TryGetValue(key, out var module) ? module
        : throw new KeyNotFoundException($"no module named '{key}' (the dictionary holds {string.Join(", ", _order)})");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _order;

    /// <inheritdoc/>
    public IEnumerable<Module> Values => _order.Select(n => _modules[n]);

    /// <inheritdoc/>
    public int Count => _order.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _modules.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Module value) => _modules.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Module>> GetEnumerator() => _order.Select(n => new KeyValuePair<string, Module>(n, _modules[n])).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A dictionary is not a layer: the module that holds it decides which member to call.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException("a ModuleDict holds modules but has no Forward of its own: call its members in the Forward of the module that holds it");

    /// <inheritdoc/>
    public override string Describe() => $"ModuleDict({string.Join(", ", _order)})";
}
