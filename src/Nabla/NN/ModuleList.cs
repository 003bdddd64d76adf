using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>A list of submodules registered under their indices ("0", "1", …), as PyTorch's <c>nn.ModuleList</c>: for a
/// model that keeps a run of blocks and calls them in its own <see cref="Module.Forward"/>, so that their parameters
/// have names (<c>blocks.2.up.weight</c>) and reach the optimiser without names invented by hand.</summary>
/// <example><code>
/// _blocks = RegisterModule("blocks", new ModuleList(Enumerable.Range(0, 4).Select(_ => new Block(512, random))));
/// foreach (var block in _blocks) x = block.Forward(x);
/// </code></example>
public sealed class ModuleList : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _modules = [];

    /// <summary>A list holding <paramref name="modules"/>, in order.</summary>
    public ModuleList(IEnumerable<Module>? modules = null)
    {
        foreach (var module in modules ?? []) Add(module);
    }

    /// <summary>Appends <paramref name="module"/>, registered under its index.</summary>
    public void Add(Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Add(module);
    }

    /// <inheritdoc/>
    public Module this[int index] => _modules[index];

    /// <inheritdoc/>
    public int Count => _modules.Count;

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A list is not a layer: the module that holds it decides how its members are called.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException("a ModuleList holds modules but has no Forward of its own: call its members in the Forward of the module that holds it (or use Sequential)");

    /// <inheritdoc/>
    public override string Describe() => $"ModuleList({Count})";
}
