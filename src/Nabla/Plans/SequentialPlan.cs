using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Layers;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>A chain of layer plans for a network that is a sequence of layers: <see cref="Mlp"/>, or a
/// <see cref="Sequential"/> (nested ones included) of <see cref="Linear"/>, <see cref="Conv2d"/>,
/// <see cref="MaxPool2d"/>, <see cref="BatchNorm"/>, <see cref="Dropout"/>, <see cref="NN.Layers.Flatten"/>,
/// <see cref="Unflatten"/> layers and activations. Plans train: batch normalisation uses batch statistics and dropout
/// drops, so a plan is only used while the model and every layer in it are in training mode
/// (<see cref="IsTrainingThroughout"/>).</summary>
internal sealed class SequentialPlan
{
    private readonly LayerPlan[] _layers;
    private readonly Module[] _modules;

    private SequentialPlan(LayerPlan[] layers, Module[] modules, Shape outputShape) => (_layers, _modules, OutputShape) = (layers, modules, outputShape);

    /// <summary>The shape of the network's output for the planned batch.</summary>
    public Shape OutputShape { get; }

    /// <summary>Whether every layer is in training mode now: a layer put in evaluation mode on its own (a frozen
    /// batch normalisation) must run as autograd runs it, which the plan does not.</summary>
    public bool IsTrainingThroughout
    {
        get
        {
            foreach (var module in _modules)
            {
                if (!module.IsTraining) return false;
            }

            return true;
        }
    }

    /// <summary>The plan for <paramref name="model"/> on batches shaped <paramref name="inputShape"/> (B, …), or null
    /// when some layer has no plan (the caller then uses autograd).</summary>
    /// <exception cref="ArgumentException">The input does not fit the network: thrown by the layer that refuses it,
    /// with the message its own <c>Forward</c> would give, before anything has run.</exception>
    public static SequentialPlan? TryCreate(Module model, Shape inputShape, DType dtype)
    {
        if (model is Mlp mlp) mlp.CheckInput(inputShape, dtype);
        var modules = new List<Module>();
        if (!Flatten(model, modules)) return null;
        var layers = new List<LayerPlan>();
        var shape = inputShape;   // (B, …) of the current layer's input
        int batch = inputShape[0];
        for (int i = 0; i < modules.Count; i++)
        {
            // A ReLU right after a Linear or Conv2d layer is fused into it.
            bool fuseRelu = i + 1 < modules.Count && modules[i + 1] is Relu;
            if (!CheckInput(modules[i], shape, dtype)) return null;
            switch (modules[i])
            {
                case Linear linear when shape.Rank == 2:   // autograd also takes (…, B, I); plans do not
                    layers.Add(new LinearPlan(linear, batch, fuseRelu));
                    shape = new Shape(batch, linear.OutFeatures);
                    if (fuseRelu) i++;
                    break;
                case Conv2d conv:
                    var convPlan = new Conv2dPlan(conv, shape, fuseRelu);
                    layers.Add(convPlan);
                    shape = convPlan.OutputShape;
                    if (fuseRelu) i++;
                    break;
                case MaxPool2d pool:
                    var poolPlan = new MaxPool2dPlan(shape, pool.KernelSize, pool.Stride, pool.Padding, dtype);
                    layers.Add(poolPlan);
                    shape = poolPlan.OutputShape;
                    break;
                case NN.Layers.Flatten:
                    shape = new Shape(batch, shape.Product(1, shape.Rank));
                    layers.Add(new ReshapePlan(shape));
                    break;
                case Unflatten unflatten:
                    shape = new Shape([batch, .. unflatten.ExampleShape]);
                    layers.Add(new ReshapePlan(shape));
                    break;
                case BatchNorm norm:
                    layers.Add(new BatchNormPlan(norm, shape));
                    break;
                case Dropout dropout:
                    layers.Add(new DropoutPlan(dropout, shape));
                    break;
                case Relu:
                    layers.Add(new ActivationPlan(Activation.Relu, 0, shape, dtype));
                    break;
                case Tanh:
                    layers.Add(new ActivationPlan(Activation.Tanh, 0, shape, dtype));
                    break;
                case Sigmoid:
                    layers.Add(new ActivationPlan(Activation.Sigmoid, 0, shape, dtype));
                    break;
                case LeakyRelu leaky:
                    layers.Add(new ActivationPlan(Activation.LeakyRelu, leaky.Slope, shape, dtype));
                    break;
                default:
                    return null;
            }
        }

        return layers.Count == 0 ? null : new SequentialPlan([.. layers], [.. modules], shape);
    }

    /// <summary>Throws as the layer's own forward pass would for an input it refuses; false where the input is one
    /// autograd takes but no plan does (a batch normalisation in evaluation mode on a batch of one).</summary>
    private static bool CheckInput(Module module, Shape shape, DType dtype)
    {
        switch (module)
        {
            case Linear linear: linear.CheckInput(shape, dtype); break;
            case Conv2d conv: conv.CheckInput(shape, dtype); break;
            case MaxPool2d pool: pool.CheckInput(shape); break;
            case NN.Layers.Flatten: NN.Layers.Flatten.CheckInput(shape); break;
            case Unflatten unflatten: unflatten.CheckInput(shape); break;
            case BatchNorm norm:
                norm.CheckInput(shape, dtype, norm.IsTraining);
                return shape.Count / norm.Channels > 1;
        }

        return true;
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
