using Nabla.Kernels;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Plans;

/// <summary>A whole training step planned once for a fixed batch size: forward through the layer plans, the fused
/// softmax cross-entropy, backward into the parameters' <c>Grad</c> tensors. Once made, a step allocates nothing.</summary>
/// <remarks>Planned only for networks <see cref="SequentialPlan"/> covers, trained with <see cref="CrossEntropyLoss"/>
/// and L2 or L1 penalties or none (their gradients are added by the regularisers themselves); <c>Trainer</c> falls back to autograd for everything else. The parameters' gradients after a
/// planned step equal those of <c>ZeroGrad(); loss.Backward()</c>.</remarks>
internal sealed class TrainingPlan
{
    private readonly SequentialPlan _network;
    private readonly Tensor _logitsGradient;
    private readonly Shape _inputShape;
    private readonly int _batchSize, _classes;
    private readonly DType _dtype;

    private TrainingPlan(SequentialPlan network, Shape inputShape, int classes, DType dtype)
    {
        _network = network;
        (_inputShape, _batchSize, _classes, _dtype) = (inputShape, inputShape[0], classes, dtype);
        _logitsGradient = Tensor.Uninitialized([_batchSize, classes], dtype);
    }

    /// <summary>A plan for batches shaped like <paramref name="features"/> (B, …), or null when the model or the loss
    /// cannot be planned.</summary>
    /// <exception cref="ArgumentException">The batch does not fit the model; the message is the refusing layer's own.</exception>
    public static TrainingPlan? TryCreate(Module model, Loss loss, Tensor features)
    {
        if (loss is not CrossEntropyLoss { IsPlain: true } || features.Rank < 2) return null;
        if (model.Parameters().Any(p => !p.RequiresGrad)) return null;
        var network = SequentialPlan.TryCreate(model, features.Shape, features.DType);
        if (network is null) return null;

        // The logits must be (B, C). (No forward pass here: it would draw dropout masks and move batch-norm statistics.)
        var output = network.OutputShape;
        if (output.Rank != 2 || output[0] != features.Shape[0]) return null;
        return new TrainingPlan(network, features.Shape, output[1], features.DType);
    }

    /// <summary>Whether <paramref name="features"/> has the shape and dtype this plan was made for, and every layer is
    /// in training mode (modes can change between steps).</summary>
    public bool Fits(Tensor features) => features.Shape == _inputShape && features.DType == _dtype && _network.IsTrainingThroughout;

    /// <summary>Forward, loss and backward on one batch. Returns the mean loss and the number of correct predictions;
    /// gradients are left in the parameters' <c>Grad</c> for the optimiser.</summary>
    public (double Loss, int Correct) ForwardBackward(Tensor features, int[] labels, Loss loss)
    {
        // Labels are checked first, so that a bad batch moves no batch-norm statistics and draws no dropout mask.
        loss.CheckLabels(_network.OutputShape, labels);
        var logits = _network.Forward(features);
        double lossSum;
        int correct;
        if (_dtype == DType.Float32)
            (lossSum, correct) = SoftmaxCrossEntropyKernel.Run<float>(logits.Buffer<float>(), labels, _classes, _logitsGradient.Buffer<float>(), 1f / _batchSize);
        else
            (lossSum, correct) = SoftmaxCrossEntropyKernel.Run<double>(logits.Buffer<double>(), labels, _classes, _logitsGradient.Buffer<double>(), 1.0 / _batchSize);

        double meanLoss = lossSum / _batchSize;
        // A non-finite loss stops here, before any gradient is written, so the caller can refuse the update.
        if (double.IsFinite(meanLoss)) _network.Backward(_logitsGradient);
        return (meanLoss, correct);
    }
}
