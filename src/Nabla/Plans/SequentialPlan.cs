using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>A chain of layer plans for a network that is a sequence of layers: <see cref="Mlp"/>, or a
/// <see cref="Sequential"/> (nested ones included) of <see cref="Linear"/> layers and activations.</summary>
internal sealed class SequentialPlan
{
    private readonly LayerPlan[] _layers;

    private SequentialPlan(LayerPlan[] layers) => _layers = layers;

    /// <summary>The plan for <paramref name="model"/> on batches of <paramref name="batchSize"/> rows of
    /// <paramref name="features"/> values, or null when some layer has no plan (the caller then uses autograd).</summary>
    public static SequentialPlan? TryCreate(Module model, int batchSize, int features, DType dtype)
    {
        var modules = new List<Module>();
        if (!Flatten(model, modules)) return null;
        var layers = new List<LayerPlan>();
        int width = features;
        for (int i = 0; i < modules.Count; i++)
        {
            switch (modules[i])
            {
                case Linear linear when linear.InFeatures == width && linear.Weight.DType == dtype:
                    // A ReLU right after the layer is fused into its GEMM epilogue.
                    bool fuseRelu = i + 1 < modules.Count && modules[i + 1] is Relu;
                    layers.Add(new LinearPlan(linear, batchSize, fuseRelu));
                    width = linear.OutFeatures;
                    if (fuseRelu) i++;
                    break;
                case Relu:
                    layers.Add(new ActivationPlan(Activation.Relu, 0, [batchSize, width], dtype));
                    break;
                case Tanh:
                    layers.Add(new ActivationPlan(Activation.Tanh, 0, [batchSize, width], dtype));
                    break;
                case Sigmoid:
                    layers.Add(new ActivationPlan(Activation.Sigmoid, 0, [batchSize, width], dtype));
                    break;
                case LeakyRelu leaky:
                    layers.Add(new ActivationPlan(Activation.LeakyRelu, leaky.Slope, [batchSize, width], dtype));
                    break;
                default:
                    return null;
            }
        }

        return layers.Count == 0 ? null : new SequentialPlan([.. layers]);
    }

    /// <summary>The output (logits) for one batch; the buffer belongs to the plan and is rewritten by the next call.</summary>
    public Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>Backpropagates ∂L/∂output (overwritten), writing every parameter's gradient. The network's input
    /// needs no gradient, so the first layer skips it.</summary>
    public void Backward(Tensor outputGradient)
    {
        Tensor? g = outputGradient;
        for (int i = _layers.Length - 1; i >= 0 && g is not null; i--) g = _layers[i].Backward(g, needInputGradient: i > 0);
    }

    private static bool Flatten(Module module, List<Module> into)
    {
        switch (module)
        {
            case Mlp mlp:
                return Flatten(mlp.Layers, into);
            case Sequential sequential:
                foreach (var child in sequential.Modules)
                {
                    if (!Flatten(child, into)) return false;
                }

                return true;
            default:
                // Only leaf layers go in the chain; any other container is not known to be a plain sequence.
                if (module.NamedChildren().Any()) return false;
                into.Add(module);
                return true;
        }
    }
}
