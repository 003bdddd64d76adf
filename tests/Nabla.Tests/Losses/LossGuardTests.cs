using Nabla.Losses;
using Nabla.Tensors;

namespace Nabla.Tests.Losses;

/// <summary>Every loss refuses labels out of range, a label count other than the batch size and logits that are not
/// (B, C), naming the label, its row and the logits' shape.</summary>
public sealed class LossGuardTests
{
    public static TheoryData<string> Losses => ["cross-entropy", "smoothed", "weighted", "mse", "hinge", "huber", "nll"];

    private static Loss Make(string name) => name switch
    {
        "smoothed" => new CrossEntropyLoss(labelSmoothing: 0.1),
        "weighted" => new CrossEntropyLoss(classWeights: [1, 2, 1, 1]),
        "nll" => new NegativeLogLikelihoodLoss(),
        _ => Loss.Parse(name),
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void Labels_out_of_range_are_named_with_their_row(string name)
    {
        var loss = Make(name);
        var logits = Tensor.Zeros([3, 4]);
        Guard.Throws<ArgumentOutOfRangeException>(() => loss.Compute(logits, [0, 1, 4]), "label 4 at row 2", "[0, 4)", "(3, 4)");
        Guard.Throws<ArgumentOutOfRangeException>(() => loss.Compute(logits, [0, -1, 2]), "label -1 at row 1", "[0, 4)");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void A_label_count_other_than_the_batch_size_is_refused(string name)
    {
        var loss = Make(name);
        Guard.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([3, 4]), [0, 1]), "2 labels", "(3, 4)");
        Guard.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([3, 4]), [0, 1, 2, 3]), "4 labels", "(3, 4)");
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Logits_must_be_a_matrix(string name)
    {
        var loss = Make(name);
        Guard.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([4]), [0, 1, 2, 3]), "(B, C)", "(4,)");
        Guard.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 3, 4]), [0, 1]), "(B, C)", "(2, 3, 4)");
        Guard.Throws<ArgumentNullException>(() => loss.Compute(null!, [0]));
    }

    [Fact]
    public void Binary_cross_entropy_on_one_output_takes_labels_0_and_1_only()
    {
        var loss = new BinaryCrossEntropyWithLogitsLoss();
        Assert.True(double.IsFinite(loss.Compute(Tensor.Zeros([2, 1]), [0, 1]).Item()));
        Guard.Throws<ArgumentOutOfRangeException>(() => loss.Compute(Tensor.Zeros([2, 1]), [0, 2]), "label 2 at row 1", "[0, 2)");
    }

    [Fact]
    public void Class_weights_must_match_the_class_count()
    {
        var loss = new CrossEntropyLoss(classWeights: [1, 2, 3]);
        Guard.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 4]), [0, 1]), "3 class weights", "4 classes");
        Guard.Throws<ArgumentException>(() => new CrossEntropyLoss(classWeights: [1, double.NaN]));
        Guard.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 1));
        Guard.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: double.NaN));
    }

    [Fact]
    public void Regression_losses_name_both_shapes()
    {
        Guard.Throws<ArgumentException>(() => MeanSquaredErrorLoss.MeanSquaredError(Tensor.Zeros([3, 2]), Tensor.Zeros([2, 3])), "(3, 2)", "(2, 3)");
        Guard.Throws<ArgumentException>(() => HuberLoss.Between(Tensor.Zeros([3, 2]), Tensor.Zeros([2, 3])), "(3, 2)", "(2, 3)");
        Guard.Throws<ArgumentOutOfRangeException>(() => new HuberLoss(double.NaN));
        Guard.Throws<ArgumentOutOfRangeException>(() => new MultiClassHingeLoss(double.NaN), "margin");
        Guard.Throws<ArgumentOutOfRangeException>(() => new L2Regularizer(double.PositiveInfinity));
        Guard.Throws<ArgumentOutOfRangeException>(() => new L1Regularizer(-1));
    }
}
