using System.Globalization;

namespace Nabla.Training;

/// <summary>What one epoch of training gave.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss (the data term, without the regulariser) over the epoch's batches, weighted by batch size.</param>
/// <param name="TrainAccuracy">Fraction of training examples classified correctly during the epoch (as the weights moved).</param>
/// <param name="ValidationLoss">Mean loss on the validation set after the epoch, if one was given.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the epoch, if one was given.</param>
/// <param name="Seconds">Wall time of the epoch's training, without validation.</param>
/// <param name="LearningRate">The learning rate the epoch ended with, where known.</param>
public sealed record EpochResult(int Epoch, double Loss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double Seconds, double? LearningRate = null)
{
    /// <summary>One line, the same under every culture: "epoch 3: loss 0.1234, train accuracy 95.1%, validation loss
    /// 0.2345, validation accuracy 96.1%, 0.41 s".</summary>
    public override string ToString()
    {
        string validation = ValidationAccuracy is { } accuracy
            ? string.Create(CultureInfo.InvariantCulture, $", validation loss {ValidationLoss:F4}, validation accuracy {100 * accuracy:F1}%")
            : "";
        return string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}: loss {Loss:F4}, train accuracy {100 * TrainAccuracy:F1}%{validation}, {Seconds:F2} s");
    }
}
