using Nabla.Autograd;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>After a step went non-finite, finds where: a parameter already holding NaN or ∞, else the first layer whose
/// output on the batch is non-finite (layers of an Mlp or a Sequential are run one by one), else the first parameter
/// whose gradient is. It runs only after a failure, so its cost does not matter; it leaves the model's buffers and
/// random streams as it found them.</summary>
internal static class NonFiniteLocator
{
    public static (string Description, string? Layer) Locate(Module model, Tensor features)
    {
        // A model on a GPU is traced there, on its batch moved over.
        var anchor = ModuleDevice.Anchor(model);
        using var device = Backends.Backend.Use(ModuleDevice.BackendFor(anchor));
        features = features.To(ModuleDevice.Of(anchor));
        foreach (var (name, p) in model.NamedParameters())
        {
            if (p.HasNonFinite()) return ($"parameter '{name}' itself", LayerOf(name));
        }

        var buffers = model.NamedBuffers().Select(b => (b.Value, Copy: b.Value.Clone())).ToList();
        var counters = model.NamedCounters().ToList();
        try
        {
            using var _ = GradMode.NoGrad();
            var x = features;
            foreach (var (path, layer) in Layers(model, ""))
            {
                x = layer.Forward(x);
                if (x.HasNonFinite()) return ($"the output of layer '{path}' ({layer.Describe()})", path);
            }
        }
        catch (ArgumentException)
        {
            // A layer that cannot run alone on this input: fall back to the gradients.
        }
        finally
        {
            foreach (var (buffer, copy) in buffers) buffer.CopyFrom(copy);
            model.LoadCounters(counters);
        }

        foreach (var (name, p) in model.NamedParameters())
        {
            if (p.Grad is { } g && g.HasNonFinite()) return ($"the gradient of '{name}'", LayerOf(name));
        }

        return ("the loss itself (the network's outputs are finite, but too large for it)", null);
    }

    private static string? LayerOf(string parameter) => parameter.LastIndexOf('.') is int dot and > 0 ? parameter[..dot] : null;

    /// <summary>The layers in the order Forward applies them: the leaves of nested modules that apply their children in
    /// order (Sequentials, Mlps).</summary>
    private static IEnumerable<(string Path, Module Layer)> Layers(Module module, string path)
    {
        if (module.AppliesChildrenInOrder)
        {
            foreach (var (name, child) in module.NamedChildren())
            {
                foreach (var leaf in Layers(child, path.Length == 0 ? name : $"{path}.{name}")) yield return leaf;
            }
        }
        else
        {
            yield return (path, module);
        }
    }
}
